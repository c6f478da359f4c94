#!/usr/bin/env node
// End-to-end test of the workflow canvas, driving Debian's Chromium through playwright-core.
//
//   OVERTURE_URL, OVERTURE_ADMIN_PASSWORD (required), OVERTURE_E2E_OUT, OVERTURE_CHROMIUM:
//                            see lib.mjs (the set-up shared by the e2e scripts)
//
// Set-up through the API (admin session): a maildir route and a delivery template that uses it,
// 25 profiles tagged with this run (FR 9, DE 6, IT 6, ES 4), and a query audience holding one
// of the FR profiles.
// Flow, with the mouse: Workflows > New workflow; the activities are dragged from the palette onto
// the canvas and connected by dragging from output handles to input handles:
//
//   Scheduler (once, the next minute) -> Query (country in FR, DE, IT, this run's profiles) -> Exclusion.in
//   Scheduler -> Read audience (the audience) -> Exclusion.exclude
//   Exclusion -> Segmentation (control 10 % random, FR, DE, complement rest)
//   Segmentation.FR / .DE / .rest -> Email delivery (the template) x3 -> End;  .control -> End
//
// The parameters are filled in the side panel; the problems list empties; Save; Start; the run
// is followed until it finishes: every activity is done, and the counts on the transitions are
// 21 (query), 1 (audience), 20 (after the exclusion), 2 (control) and 18 over FR + DE + rest.
// The Query's expression is also opened once in the query editor's modal ("Edit with the query
// editor"): its rule tree shows the country and last-name rules with a live count of 21, and
// Apply writes back the canonical text; the DE segment's filter goes through it the same way.
//
// Then the run commands, on a second workflow built with the mouse:
//
//   External signal (parameter country, string, required) -> Test (country = "FR")
//   Test.true -> Wait (120 s) -> End;  Test.false -> End
//
// Saved and started; "Signal …" is clicked and the form filled with country = FR; the Test takes
// the true branch (its true transition is counted, the false one not) and the Wait waits; Pause
// shows the run paused, Resume running, Stop (confirmed) stopped with the Wait cancelled.
// Screenshots 60-… to 74-… (61b: the query editor). Exits 0 on success; on failure prints the
// step, saves failure.png and exits 1.

import { check, E2eFailure, launch, logInAsAdmin, page, run, sessionApi, shot, step, submitDialog } from './lib.mjs';

const RUN_TIMEOUT_MS = 420_000;
const TAG = Date.now().toString(36);
const LABEL = `Winter campaign (${TAG})`;
const SIGNAL_LABEL = `Signal test (${TAG})`;
const LAST_NAME = `Workflow ${TAG}`;
const ROUTE = `e2e-workflows-${TAG}`;
const COUNTRIES = [['FR', 9], ['DE', 6], ['IT', 6], ['ES', 4]];
const EXPRESSION = `country in ("FR", "DE", "IT") and lastName = "${LAST_NAME}"`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** "2026-11-29T09:41": the next minute at least 25 s away, in UTC (the scheduler's time zone). */
function soon() {
  const t = new Date(Date.now() + 25_000);
  t.setUTCSeconds(0, 0);
  t.setUTCMinutes(t.getUTCMinutes() + 1);
  return t.toISOString().slice(0, 16);
}

const node = (id) => page.locator(`.react-flow__node[data-id="${id}"]`);
const handle = (id, kind, port) => node(id).locator(`.react-flow__handle.${kind === 'out' ? 'source' : 'target'}[data-handleid="${port}"]`);

async function center(locator) {
  const box = await locator.boundingBox();
  check(box, 'an element to drag is not on screen');
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags the palette item of `label` onto the canvas at (x, y) from its top-left corner; answers the new activity's id. */
async function drop(label, x, y) {
  const before = new Set(await page.locator('.react-flow__node').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-id'))));
  const item = page.getByRole('region', { name: 'Activity palette' }).getByRole('button', { name: `Add ${label}`, exact: true });
  const canvas = page.getByTestId('workflow-canvas');
  await item.dragTo(canvas, { targetPosition: { x, y } });
  let id = null;
  for (let i = 0; i < 50 && !id; i++) {
    const now = await page.locator('.react-flow__node').evaluateAll((ns) => ns.map((n) => n.getAttribute('data-id')));
    id = now.find((n) => !before.has(n)) ?? null;
    if (!id) await sleep(100);
  }
  check(id, `dropping "${label}" on the canvas added no activity`);
  return id;
}

/** Drags with the mouse from an output handle to an input handle and waits for the edge. */
async function link(from, fromPort, to, toPort = 'in') {
  const edges = () => page.locator('.react-flow__edge').count();
  const n = await edges();
  const a = await center(handle(from, 'out', fromPort));
  const b = await center(handle(to, 'in', toPort));
  await page.mouse.move(a.x, a.y);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2, (a.y + b.y) / 2, { steps: 5 });
  await page.mouse.move(b.x, b.y, { steps: 5 });
  await page.mouse.up();
  for (let i = 0; i < 30 && (await edges()) === n; i++) await sleep(100);
  check((await edges()) === n + 1, `dragging ${from}.${fromPort} to ${to}.${toPort} added no transition`);
}

/** Clicks an activity so that the side panel shows it. */
async function select(id) {
  await node(id).locator('p').first().click();
  await page.locator(`[data-testid="params-panel"][data-activity="${id}"]`).waitFor();
  return page.getByTestId('params-panel');
}

/** A field by its label, with or without Mantine's required asterisk. */
const labelled = (label) => new RegExp(`^${label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\*)?$`);

async function fill(panel, label, value) {
  await panel.getByLabel(labelled(label)).fill(value);
}

async function choose(panel, label, option) {
  await panel.getByRole('textbox', { name: labelled(label) }).click();
  await page.getByRole('option', { name: option }).first().click();
}

async function main() {
  await launch({ viewport: { width: 1920, height: 1080 } });
  await step('log in as admin', logInAsAdmin);
  const api = await sessionApi();
  const ids = {};

  await step('set-up through the API: a route, a delivery template, 25 profiles and an audience of one', async () => {
    const route = await api.send('POST', '/api/v1/routes', { name: ROUTE, label: `E2E workflows ${TAG}`, kind: 'maildir', maildir: { folder: `workflows-${TAG}` } });
    check(route.status === 201, `POST /routes answered ${route.status}: ${route.text}`);
    const tpl = await api.send('POST', '/api/v1/deliveries', {
      label: `Winter template (${TAG})`,
      isTemplate: true,
      routeId: route.json.id,
      content: {
        from: { name: 'E2E Shop', address: 'shop@e2e.example' },
        subject: 'Winter is here, {{ profile.firstName }}',
        html: '<html><body><p>Hello {{ profile.firstName }}</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>',
        text: 'Hello {{ profile.firstName }}\n\nUnsubscribe: {{ unsubscribe_url }}\n',
        textMode: 'manual',
      },
    });
    check(tpl.status === 201, `POST /deliveries (template) answered ${tpl.status}: ${tpl.text}`);
    ids.template = tpl.json.id;
    ids.templateLabel = tpl.json.label;
    let excluded = null;
    for (const [country, n] of COUNTRIES) {
      for (let i = 1; i <= n; i++) {
        const email = `${country.toLowerCase()}${i}-${TAG}@workflows.e2e.example`;
        const p = await api.send('POST', '/api/v1/profiles', { email, firstName: `${country}${i}`, lastName: LAST_NAME, country });
        check(p.status === 201, `POST /profiles answered ${p.status}: ${p.text}`);
        if (country === 'FR' && i === 1) excluded = email;
      }
    }
    const aud = await api.send('POST', '/api/v1/audiences', { label: `Do not disturb (${TAG})`, kind: 'query', resource: 'profile', expression: `email = "${excluded}"` });
    check(aud.status === 201, `POST /audiences answered ${aud.status}: ${aud.text}`);
    ids.audience = aud.json.id;
    ids.audienceLabel = aud.json.label;
  });

  await step('Workflows > New workflow opens an empty canvas', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Workflows' }).click();
    await page.waitForURL(/\/workflows$/);
    await page.getByRole('table', { name: 'Workflows' }).waitFor();
    await page.getByRole('button', { name: 'New workflow' }).click();
    const dialog = page.getByRole('dialog', { name: 'New workflow' });
    await dialog.getByLabel(/^Label\b/).fill(LABEL);
    await submitDialog(dialog, 'Create');
    await page.waitForURL(/\/workflows\/\d+$/);
    ids.workflow = Number(page.url().split('/').pop());
    await page.getByTestId('workflow-canvas').waitFor();
    await page.getByRole('region', { name: 'Activity palette' }).getByRole('button', { name: 'Add Scheduler' }).waitFor();
  });

  const a = {};
  await step('drag the activities from the palette onto the canvas', async () => {
    // Six columns of activities across the canvas (React Flow starts an empty canvas at 80 %).
    const col = (i) => 15 + i * 150;
    a.scheduler = await drop('Scheduler', col(0), 150);
    a.query = await drop('Query', col(1), 90);
    a.read = await drop('Read audience', col(1), 230);
    a.exclusion = await drop('Exclusion', col(2), 150);
    a.segmentation = await drop('Segmentation', col(3), 150);
    await shot('60-workflow-dropping');
    a.mailFR = await drop('Email delivery', col(4), 40);
    a.mailDE = await drop('Email delivery', col(4), 130);
    a.mailRest = await drop('Email delivery', col(4), 220);
    a.end = await drop('End', col(5), 170);
    check(await page.locator('.react-flow__node').count() === 9, 'the canvas does not hold 9 activities');
  });

  await step('fill the parameters in the side panel', async () => {
    let panel = await select(a.scheduler);
    await fill(panel, 'Activity label', 'Tonight');
    await fill(panel, 'At (local time)', soon());
    await fill(panel, 'Time zone', 'UTC');

    panel = await select(a.query);
    await fill(panel, 'Activity label', 'FR, DE, IT');
    await fill(panel, 'Expression', EXPRESSION);
    await shot('61-workflow-query-params');

    // The same expression in the query editor: its rules, then Apply writes the canonical text.
    await panel.getByRole('button', { name: 'Edit with the query editor' }).click();
    const modal = page.getByRole('dialog', { name: 'Expression (profile)' });
    await modal.getByRole('group', { name: 'Rules', exact: true }).waitFor();
    const rule1 = modal.getByRole('group', { name: 'Rule 1', exact: true });
    const rule2 = modal.getByRole('group', { name: 'Rule 2', exact: true });
    check(await rule1.getByLabel('Field of Rule 1').inputValue() === 'f:country', 'the query editor\'s Rule 1 is not on country');
    check(await rule2.getByLabel('Field of Rule 2').inputValue() === 'f:lastName', 'the query editor\'s Rule 2 is not on lastName');
    await modal.locator('[data-testid="live-count"][data-status="done"]').waitFor();
    const counted = await modal.locator('[data-testid="live-count"] [data-count]').getAttribute('data-count');
    check(counted === '21', `the query editor counts ${counted} profiles, expected 21`);
    await shot('61b-workflow-query-editor');
    await modal.getByRole('button', { name: 'Apply', exact: true }).click();
    await modal.waitFor({ state: 'hidden' });
    const applied = await panel.getByLabel(labelled('Expression')).inputValue();
    check(/country in \("FR", ?"DE", ?"IT"\)/.test(applied) && applied.includes(LAST_NAME), `Apply wrote "${applied}"`);

    panel = await select(a.read);
    await fill(panel, 'Activity label', 'Do not disturb');
    await choose(panel, 'Audience', ids.audienceLabel);

    panel = await select(a.segmentation);
    await fill(panel, 'Activity label', 'By country');
    await fill(panel, 'Segment 1 code', 'control');
    await panel.getByLabel(labelled('Segment 1 limit')).check();
    await panel.getByRole('button', { name: 'Add segment' }).click();
    await fill(panel, 'Segment 2 code', 'FR');
    await fill(panel, 'Segment 2 filter', 'country = "FR"');
    await panel.getByRole('button', { name: 'Add segment' }).click();
    await fill(panel, 'Segment 3 code', 'DE');
    await fill(panel, 'Segment 3 filter', 'country = "DE"');
    // A segment filter in the query editor too (over profiles: nothing upstream names a resource yet).
    await panel.getByRole('button', { name: 'Edit segment 3 filter with the query editor' }).click();
    const filterModal = page.getByRole('dialog', { name: 'Segment 3 filter (profile)' });
    const only = filterModal.getByRole('group', { name: 'Rule 1', exact: true });
    check(await only.getByLabel('Field of Rule 1').inputValue() === 'f:country', 'the segment filter\'s Rule 1 is not on country');
    await filterModal.getByRole('button', { name: 'Apply', exact: true }).click();
    await filterModal.waitFor({ state: 'hidden' });
    const filter = await panel.getByLabel(labelled('Segment 3 filter')).inputValue();
    check(filter === 'country = "DE"', `Apply wrote the segment filter "${filter}"`);
    await shot('62-workflow-segmentation-params');

    for (const [key, label] of [['mailFR', 'Email FR'], ['mailDE', 'Email DE'], ['mailRest', 'Email others']]) {
      panel = await select(a[key]);
      await fill(panel, 'Activity label', label);
      await choose(panel, 'Delivery template', ids.templateLabel);
    }
  });

  await step('connect the activities by dragging from output to input handles', async () => {
    // The segmentation's ports come from its segments: wait for the FR handle.
    await handle(a.segmentation, 'out', 'FR').waitFor();
    await link(a.scheduler, 'out', a.query);
    await link(a.scheduler, 'out', a.read);
    await link(a.query, 'out', a.exclusion, 'in');
    await link(a.read, 'out', a.exclusion, 'exclude');
    await link(a.exclusion, 'out', a.segmentation);
    await link(a.segmentation, 'FR', a.mailFR);
    await link(a.segmentation, 'DE', a.mailDE);
    await link(a.segmentation, 'rest', a.mailRest);
    await link(a.segmentation, 'control', a.end);
    await link(a.mailFR, 'out', a.end);
    await link(a.mailDE, 'out', a.end);
    await link(a.mailRest, 'out', a.end);
    // A click on the empty canvas (below the activities) selects nothing.
    const canvas = await page.getByTestId('workflow-canvas').boundingBox();
    await page.mouse.click(canvas.x + canvas.width / 2, canvas.y + canvas.height - 30);
    await page.getByTestId('params-hint').waitFor();
  });

  await step('the live check finds no problem; save', async () => {
    try {
      await page.getByTestId('no-problems').waitFor({ timeout: 10_000 });
    } catch {
      const text = await page.getByTestId('problems').innerText().catch(() => '(no list)');
      throw new E2eFailure(`the problems list is not empty: ${text.replace(/\s+/g, ' ')}`);
    }
    await shot('63-workflow-built');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/Saved \(version \d+\)/).waitFor();
    const saved = await api.get(`/api/v1/workflows/${ids.workflow}`);
    check(saved.status === 200 && saved.json.graph.activities.length === 9 && saved.json.graph.transitions.length === 12,
      `the saved graph has ${saved.json?.graph?.activities?.length} activities and ${saved.json?.graph?.transitions?.length} transitions`);
    check(saved.json.problems.length === 0, `the saved workflow has problems: ${JSON.stringify(saved.json.problems)}`);
  });

  await step('start, and follow the run until it finishes (the scheduler fires at the next minute)', async () => {
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.getByTestId('run-status').waitFor();
    await page.locator(`[data-testid="status-${a.scheduler}"]`).waitFor({ timeout: 20_000 });
    await shot('64-workflow-running');
    const until = Date.now() + 150_000;
    let status = '';
    while (Date.now() < until) {
      status = await page.getByTestId('run-status').getAttribute('data-status');
      if (['finished', 'failed', 'stopped'].includes(status)) break;
      await sleep(500);
    }
    if (status !== 'finished') {
      const runText = (await page.getByTestId('shown-run').innerText()).replace(/\s+/g, ' ');
      throw new E2eFailure(`the run is "${status}": ${runText}`);
    }
  });

  await step('every activity is done, and the transitions carry the counts', async () => {
    await sleep(1200); // the last poll
    for (const id of Object.values(a)) {
      const s = await node(id).locator('[data-activity]').getAttribute('data-status');
      check(s === 'done', `activity ${id} is "${s}", expected done`);
    }
    const saved = (await api.get(`/api/v1/workflows/${ids.workflow}`)).json;
    const runId = saved.lastRun.id;
    const detail = (await api.get(`/api/v1/workflows/${ids.workflow}/runs/${runId}`)).json;
    const tid = (from, fromPort, to) =>
      saved.graph.transitions.find((t) => t.from === from && (t.fromPort ?? 'out') === fromPort && t.to === to).id;
    const shown = async (t) => {
      const el = page.getByTestId(`edge-count-${t}`);
      await el.waitFor();
      return Number((await el.getAttribute('data-count')) || NaN);
    };
    const q = await shown(tid(a.query, 'out', a.exclusion));
    const r = await shown(tid(a.read, 'out', a.exclusion));
    const x = await shown(tid(a.exclusion, 'out', a.segmentation));
    const c = await shown(tid(a.segmentation, 'control', a.end));
    const fr = await shown(tid(a.segmentation, 'FR', a.mailFR));
    const de = await shown(tid(a.segmentation, 'DE', a.mailDE));
    const rest = await shown(tid(a.segmentation, 'rest', a.mailRest));
    check(q === 21 && r === 1 && x === 20, `query ${q}, audience ${r}, after the exclusion ${x}; expected 21, 1, 20`);
    check(c === 2 && fr + de + rest === 18, `control ${c}, FR ${fr}, DE ${de}, rest ${rest}; expected 2 and 18 over the others`);
    check(fr <= 8 && de <= 6 && rest <= 6, `FR ${fr}, DE ${de}, rest ${rest} exceed their countries`);
    const apiCount = detail.transitions.find((t) => t.transition === tid(a.exclusion, 'out', a.segmentation));
    check(apiCount && apiCount.count === 20, `the API's count of the exclusion is ${JSON.stringify(apiCount)}`);
    await shot('65-workflow-finished-counts');
  });

  await step('the run log and the list of runs', async () => {
    await page.getByRole('tab', { name: /^Log/ }).click();
    const log = page.getByRole('table', { name: 'Run log' });
    await log.waitFor();
    check(await log.locator('tbody tr').count() > 0, 'the run log is empty');
    await shot('66-workflow-log');
    await page.getByRole('tab', { name: 'Runs' }).click();
    const runs = page.getByRole('table', { name: 'Runs' });
    await runs.getByRole('button', { name: 'Show run 1' }).waitFor();
    await shot('67-workflow-runs');
  });

  await step('the list shows the workflow with its finished run', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Workflows' }).click();
    const row = page.getByRole('table', { name: 'Workflows' }).locator(`tr[data-workflow="${ids.workflow}"]`);
    await row.waitFor();
    try {
      // The list may show its cached page first, then the refetched one.
      await row.locator('[data-status="finished"]').waitFor({ timeout: 5_000 });
    } catch {
      throw new E2eFailure(`the row says: ${(await row.innerText()).replace(/\s+/g, ' ')}`);
    }
    await shot('68-workflows-list');
  });

  await commands(api);
}

/** Waits until the shown run has `status` (data-status of the run badge). */
async function runStatus(status, timeout = 15_000) {
  const until = Date.now() + timeout;
  let now = '';
  while (Date.now() < until) {
    now = await page.getByTestId('run-status').getAttribute('data-status').catch(() => '');
    if (now === status) return;
    await sleep(250);
  }
  throw new E2eFailure(`the run is "${now}", expected ${status}`);
}

/** Waits until activity `id` shows `status` on the canvas. */
async function activityStatus(id, status, timeout = 15_000) {
  const badge = page.getByTestId(`status-${id}`);
  const until = Date.now() + timeout;
  let now = '';
  while (Date.now() < until) {
    now = ((await badge.textContent().catch(() => '')) ?? '').trim().toLowerCase(); // the badge shows it in capitals
    if (now === status || now.startsWith(`${status} `)) return;
    await sleep(250);
  }
  throw new E2eFailure(`activity ${id} is "${now}", expected ${status}`);
}

/** External signal -> Test -> Wait, driven by Signal, Pause, Resume and Stop. */
async function commands(api) {
  const a = {};
  const ids = {};
  await step('commands: a new workflow with External signal -> Test -> Wait -> End, false -> End', async () => {
    await page.getByRole('button', { name: 'New workflow' }).click();
    const dialog = page.getByRole('dialog', { name: 'New workflow' });
    await dialog.getByLabel(/^Label\b/).fill(SIGNAL_LABEL);
    await submitDialog(dialog, 'Create');
    await page.waitForURL(/\/workflows\/\d+$/);
    ids.workflow = Number(page.url().split('/').pop());
    await page.getByTestId('workflow-canvas').waitFor();
    const col = (i) => 15 + i * 170;
    a.signal = await drop('External signal', col(0), 150);
    a.test = await drop('Test', col(1), 150);
    a.wait = await drop('Wait', col(2), 80);
    a.endTrue = await drop('End', col(3), 80);
    a.endFalse = await drop('End', col(3), 240);

    let panel = await select(a.signal);
    await fill(panel, 'Activity label', 'Country');
    await fill(panel, 'Parameters', '[{"name": "country", "type": "string", "required": true}]');
    panel = await select(a.test);
    await fill(panel, 'Activity label', 'French?');
    await fill(panel, 'Condition', 'country = "FR"');
    panel = await select(a.wait);
    await fill(panel, 'Activity label', 'Two minutes');
    await fill(panel, 'Seconds', '120');

    await handle(a.test, 'out', 'true').waitFor();
    await link(a.signal, 'out', a.test);
    await link(a.test, 'true', a.wait);
    await link(a.test, 'false', a.endFalse);
    await link(a.wait, 'out', a.endTrue);
    const canvas = await page.getByTestId('workflow-canvas').boundingBox();
    await page.mouse.click(canvas.x + canvas.width / 2, canvas.y + canvas.height - 30);
    try {
      await page.getByTestId('no-problems').waitFor({ timeout: 10_000 });
    } catch {
      const text = await page.getByTestId('problems').innerText().catch(() => '(no list)');
      throw new E2eFailure(`the problems list is not empty: ${text.replace(/\s+/g, ' ')}`);
    }
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/Saved \(version \d+\)/).waitFor();
    const saved = await api.get(`/api/v1/workflows/${ids.workflow}`);
    check(saved.status === 200 && saved.json.graph.activities.length === 5 && saved.json.graph.transitions.length === 4,
      `the saved graph has ${saved.json?.graph?.activities?.length} activities and ${saved.json?.graph?.transitions?.length} transitions`);
    ids.graph = saved.json.graph;
    await shot('70-workflow-signal-built');
  });

  await step('commands: Start; the External signal waits; Signal Country with country = FR', async () => {
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await runStatus('running');
    await activityStatus(a.signal, 'waiting');
    await page.getByRole('button', { name: 'Signal Country', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Signal “Country”' });
    await dialog.getByLabel(/^country\b/).fill('FR');
    await sleep(400); // the modal's opening transition
    await shot('71-workflow-signal-form');
    await submitDialog(dialog, 'Send the signal');
  });

  await step('commands: the Test takes the true branch and the Wait waits', async () => {
    const tid = (from, fromPort) => ids.graph.transitions.find((t) => t.from === from && (t.fromPort ?? 'out') === fromPort).id;
    await activityStatus(a.test, 'done');
    await activityStatus(a.wait, 'waiting');
    await page.getByTestId(`edge-count-${tid(a.test, 'true')}`).waitFor();
    check(await page.getByTestId(`edge-count-${tid(a.test, 'false')}`).count() === 0, 'the false branch of the Test was taken too');
    check(await page.getByTestId(`status-${a.endFalse}`).count() === 0, 'the End of the false branch ran');
    const run = (await api.get(`/api/v1/workflows/${ids.workflow}`)).json.activeRun;
    check(run && run.status === 'running', `the active run is ${JSON.stringify(run)}`);
    const detail = (await api.get(`/api/v1/workflows/${ids.workflow}/runs/${run.id}`)).json;
    check(detail.variables?.country === 'FR', `the run variables are ${JSON.stringify(detail.variables)}`);
    const t = detail.transitions.find((x) => x.transition === tid(a.test, 'true'));
    check(t && t.times >= 1, `the true transition is ${JSON.stringify(t)}`);
    await shot('72-workflow-signal-waiting');
  });

  await step('commands: Pause, then Resume', async () => {
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await runStatus('paused');
    await shot('73-workflow-paused');
    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await runStatus('running');
    await activityStatus(a.wait, 'waiting');
  });

  await step('commands: Stop (confirmed) stops the run and cancels the Wait', async () => {
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Stop the run?' });
    await dialog.getByRole('button', { name: 'Stop the run' }).click();
    await runStatus('stopped', 20_000);
    await activityStatus(a.wait, 'cancelled');
    check(await page.getByRole('button', { name: 'Resume', exact: true }).isDisabled(), 'Resume is enabled on a stopped run');
    await shot('74-workflow-stopped');
  });
}

run(main, { timeoutMs: RUN_TIMEOUT_MS });
