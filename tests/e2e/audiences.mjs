#!/usr/bin/env node
// End-to-end test of the query editor and of audiences, driving Debian's Chromium through
// playwright-core (same settings as run.mjs).
//
//   OVERTURE_URL, OVERTURE_ADMIN_PASSWORD (required), OVERTURE_E2E_OUT, OVERTURE_CHROMIUM:
//                            see lib.mjs (the set-up shared by the e2e scripts)
//
// Set-up through the API (admin session): publishes the custom resource `purchase` (amount float,
// purchasedAt datetime, linked to profile 1-N as `purchases`) keeping the custom fields already
// published, and creates 6 profiles and their purchases, so that exactly 2 of them match
//   (country = "FR" or country = "DE") and not (blockEmail or blockAll)
//   and exists purchases where (amount > 50)
// Flow: Profiles & audiences > Audiences > New audience; the query is built in the rule tree
// (two groups, the second negated, and an exists rule with a where filter) while the live count
// follows each step; Text mode shows the canonical text, and back to the rules the tree and the
// count are unchanged; "Save as audience"; the audience opens from the list, its count and preview
// show the 2 profiles; a column added to the preview goes into the CSV export link, which answers
// their rows. Screenshots 40-… to 48-….
// Works on a database where other scripts ran before (counts are measured against a baseline);
// exits 0 on success; on failure prints the step, saves failure.png and exits 1.

import { check, launch, logInAsAdmin, logout, page, run, sessionApi, shot as fullPageShot, step, submitDialog } from './lib.mjs';

const RUN_TIMEOUT_MS = 120_000;
const TAG = Date.now().toString(36);
const LABEL = `FR/DE buyers over 50 (${TAG})`;

// Profiles: [key, country, blockEmail, purchase amounts]; a and b match, the others miss one rule.
const PEOPLE = [
  ['a', 'FR', false, [80]],
  ['b', 'DE', false, [20, 60]],
  ['c', 'FR', true, [100]], // blocked
  ['d', 'IT', false, [200]], // country
  ['e', 'DE', false, []], // no purchase
  ['f', 'FR', false, [30]], // amount
];
const email = (key) => `${key}.${TAG}@audiences.example`;

const GROUP1 = { or: [{ field: 'country', op: '=', value: 'FR' }, { field: 'country', op: '=', value: 'DE' }] };
const GROUP2 = { not: { or: [{ field: 'blockEmail' }, { field: 'blockAll' }] } };
const EXISTS = { exists: 'purchases', where: { field: 'amount', op: '>', value: 50 } };
const FULL = { and: [GROUP1, GROUP2, EXISTS] };
const TEXT = '(country = "FR" or country = "DE") and not (blockEmail or blockAll) and exists purchases where (amount > 50)';

let api;

/** The JSON of POST /api/v1/schema/publish that keeps every custom part of the current model. */
function customModel(resources) {
  const field = (f) => ({
    name: f.name, type: f.type, label: f.label, description: f.description ?? '', required: f.required,
    ...(f.length ? { length: f.length } : {}), ...(f.values ? { values: f.values } : {}),
  });
  const out = [];
  for (const r of resources) {
    const fields = r.fields.filter((f) => !f.builtin).map(field);
    const links = r.links.filter((l) => !l.builtin).map((l) => ({ name: l.name, target: l.target, cardinality: l.cardinality, reverseName: l.reverseName, label: l.label }));
    const indexes = r.indexes.filter((i) => !i.builtin).map((i) => ({ fields: i.fields, unique: i.unique }));
    if (!r.builtin) out.push({ name: r.name, label: r.label, pluralLabel: r.pluralLabel, fields, links, indexes });
    else if (fields.length || links.length || indexes.length) out.push({ name: r.name, fields, links, indexes });
  }
  return out;
}

async function count(json) {
  const r = await api.send('POST', '/api/v1/query/count', { resource: 'profile', json });
  check(r.status === 200, `POST /query/count answered ${r.status}: ${r.text}`);
  return r.json.count;
}

/** Waits until the editor's live count shows `expected` (data-count of the "Live count" status). */
async function liveCountIs(expected, what) {
  const status = page.getByRole('status', { name: 'Live count' });
  try {
    await status.locator(`[data-count="${expected}"]`).waitFor({ timeout: 10_000 });
  } catch {
    check(false, `${what}: the live count shows "${(await status.innerText()).trim()}", expected ${expected}`);
  }
}

/** Every control of the rule tree with its accessible name and value: the tree as the user sees it. */
async function treeState() {
  return page.getByRole('group', { name: 'Rules', exact: true }).locator('select, input, textarea').evaluateAll((els) =>
    els.map((e) => `${e.getAttribute('aria-label') ?? e.closest('label')?.textContent ?? e.type}=${e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value}`));
}

/** A full-page screenshot taken from the top (the app's header is fixed: a scrolled page would show it midway). */
async function shot(name) {
  await page.evaluate(() => window.scrollTo(0, 0));
  await fullPageShot(name);
}

const rule = (name) => page.getByRole('group', { name, exact: true });

async function main() {
  await launch();

  await step('log in as admin', logInAsAdmin);

  let baseline;
  await step('set-up through the API: publish purchase (1-N purchases of profile), create 6 profiles and their purchases', async () => {
    api = await sessionApi();
    const schema = await api.get('/api/v1/schema');
    check(schema.status === 200, `GET /schema answered ${schema.status}`);
    const purchase = schema.json.resources.find((r) => r.name === 'purchase');
    if (purchase) {
      check(['amount', 'purchasedAt'].every((n) => purchase.fields.some((f) => f.name === n)), 'a resource purchase exists without amount and purchasedAt: use a fresh database');
    } else {
      const resources = customModel(schema.json.resources);
      resources.push({
        name: 'purchase', label: 'Purchase', pluralLabel: 'Purchases',
        fields: [
          { name: 'amount', type: 'float', label: 'Amount', required: false },
          { name: 'purchasedAt', type: 'datetime', label: 'Purchased at', required: false },
        ],
        links: [{ name: 'profile', target: 'profile', cardinality: 'one', reverseName: 'purchases', label: 'Profile' }],
        indexes: [],
      });
      const pub = await api.send('POST', '/api/v1/schema/publish', { resources });
      check(pub.status === 200 && pub.json.applied, `publishing purchase answered ${pub.status}: ${pub.text}`);
    }
    baseline = await count(FULL);
    const now = Date.now();
    for (const [key, country, blockEmail, amounts] of PEOPLE) {
      const p = await api.send('POST', '/api/v1/profiles', { email: email(key), firstName: key.toUpperCase(), lastName: `Audience ${TAG}`, country, blockEmail });
      check(p.status === 201, `creating profile ${key} answered ${p.status}: ${p.text}`);
      for (const [i, amount] of amounts.entries()) {
        const purchasedAt = new Date(now - (i + 1) * 86_400_000).toISOString();
        const b = await api.send('POST', '/api/v1/resources/purchase', { amount, purchasedAt, profile: p.json.id });
        check(b.status === 201, `creating a purchase of ${key} answered ${b.status}: ${b.text}`);
      }
    }
    check(await count(FULL) === baseline + 2, `the API counts ${await count(FULL)} profiles for the full query, expected ${baseline + 2}`);
    await page.reload(); // the UI's cached data model now has purchase
  });

  await step('Profiles & audiences > Audiences, then New audience', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Profiles & audiences' }).click();
    await page.getByRole('tab', { name: 'Audiences' }).click();
    await page.waitForURL(/\/audiences\/audiences$/);
    await page.getByRole('table', { name: 'Audiences' }).waitFor();
    await shot('40-audiences-list');
    await page.getByRole('button', { name: 'New audience' }).click();
    await page.waitForURL(/\/audiences\/audiences\/new$/);
    await page.getByRole('group', { name: 'Rules', exact: true }).waitFor();
  });

  await step('group 1: country = FR OR country = DE; the live count follows', async () => {
    await page.getByRole('button', { name: 'Add group to Rules' }).click();
    const group = page.getByRole('group', { name: 'Group 1', exact: true });
    await group.waitFor();
    check(await group.getByRole('radio', { name: 'OR' }).isChecked(), 'a group added under AND does not start as OR');
    await rule('Rule 1.1').getByLabel('Field of Rule 1.1').selectOption('f:country');
    check(await rule('Rule 1.1').getByLabel('Operator of Rule 1.1').inputValue() === '=', 'a string rule does not start with "="');
    await rule('Rule 1.1').getByLabel('Value of Rule 1.1').fill('FR');
    await page.getByRole('button', { name: 'Add rule to Group 1' }).click();
    await rule('Rule 1.2').getByLabel('Field of Rule 1.2').selectOption('f:country');
    await rule('Rule 1.2').getByLabel('Value of Rule 1.2').fill('DE');
    await liveCountIs(await count(GROUP1), 'country FR or DE');
    await shot('41-editor-group-1');
  });

  await step('group 2: NOT (blockEmail is true OR blockAll is true)', async () => {
    await page.getByRole('button', { name: 'Add group to Rules' }).click();
    const group = page.getByRole('group', { name: 'Group 2', exact: true });
    await group.waitFor();
    await rule('Rule 2.1').getByLabel('Field of Rule 2.1').selectOption('f:blockEmail');
    check(await rule('Rule 2.1').getByLabel('Operator of Rule 2.1').inputValue() === 'is true', 'a boolean rule does not start with "is true"');
    await page.getByRole('button', { name: 'Add rule to Group 2' }).click();
    await rule('Rule 2.2').getByLabel('Field of Rule 2.2').selectOption('f:blockAll');
    await page.getByRole('checkbox', { name: 'Negate Group 2' }).check();
    await liveCountIs(await count({ and: [GROUP1, GROUP2] }), 'with group 2');
  });

  await step('rule 3: purchases exist where amount > 50; the count reaches the 2 expected profiles', async () => {
    await page.getByRole('button', { name: 'Add rule to Rules' }).click();
    await rule('Rule 3').getByLabel('Field of Rule 3').selectOption('e:purchases');
    check(await rule('Rule 3').getByLabel('Operator of Rule 3').inputValue() === 'exists', 'an exists rule does not start with "exists"');
    await page.getByRole('button', { name: 'Add a filter to Rule 3' }).click();
    const filter = page.getByRole('group', { name: 'Filter of Rule 3', exact: true });
    await filter.waitFor();
    await filter.getByLabel('Field of Rule 3 where 1').selectOption('f:amount');
    await filter.getByLabel('Operator of Rule 3 where 1').selectOption('>');
    await filter.getByLabel('Value of Rule 3 where 1').fill('50');
    await liveCountIs(baseline + 2, 'the full query');
    await page.getByRole('region', { name: 'Preview' }).getByText(email('a')).waitFor();
    await shot('42-editor-full-query');
  });

  let before;
  await step('Text mode shows the canonical text; back to the rules, tree and count are unchanged', async () => {
    before = await treeState();
    await page.getByRole('tab', { name: 'Text' }).click();
    const text = page.getByRole('textbox', { name: 'Expression' });
    await text.waitFor();
    const shown = await text.inputValue();
    check(shown === TEXT, `text mode shows ${JSON.stringify(shown)}, expected ${JSON.stringify(TEXT)}`);
    await liveCountIs(baseline + 2, 'in text mode');
    await shot('43-editor-text-mode');

    // A syntax error is shown with its line and column, and keeps text mode.
    await text.fill(`${TEXT} and`);
    await page.getByRole('button', { name: 'Back to the rules' }).click();
    const error = page.getByTestId('expression-error').first();
    await error.getByText(/Line 1, column \d+/).waitFor();
    await shot('44-editor-text-error');
    await text.fill(TEXT);

    await page.getByRole('tab', { name: 'Rules' }).click();
    await page.getByRole('group', { name: 'Rules', exact: true }).waitFor();
    const after = await treeState();
    check(JSON.stringify(after) === JSON.stringify(before), `the tree changed through text mode:\n  before ${before.join(', ')}\n  after  ${after.join(', ')}`);
    await liveCountIs(baseline + 2, 'back to the rules');
  });

  let audienceUrl;
  await step('Save as audience (query), which opens it', async () => {
    await page.getByRole('button', { name: 'Save as audience' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save as audience' });
    await dialog.waitFor();
    await dialog.getByLabel(/^Label\b/).fill(LABEL);
    await dialog.getByLabel('Description', { exact: true }).fill('Built by the end-to-end test.');
    await dialog.getByLabel('Kind', { exact: true }).selectOption('query');
    await page.waitForTimeout(300); // the modal's opening transition
    await shot('45-save-as-audience');
    await submitDialog(dialog, 'Save audience');
    await page.waitForURL(/\/audiences\/audiences\/\d+$/);
    audienceUrl = page.url();
    await page.getByRole('heading', { name: LABEL }).waitFor();
  });

  await step('the list shows the audience; it opens with its count, rules and preview', async () => {
    await page.getByRole('tab', { name: 'Audiences' }).click();
    await page.waitForURL(/\/audiences\/audiences$/);
    const row = page.getByRole('table', { name: 'Audiences' }).getByRole('row').filter({ hasText: LABEL });
    await row.waitFor();
    await row.getByRole('button', { name: `Count ${LABEL}` }).click();
    await row.getByText(String(baseline + 2), { exact: true }).waitFor();
    await shot('46-audiences-list-with-audience');
    await row.getByRole('link', { name: LABEL }).click();
    await page.waitForURL(audienceUrl);
    await page.getByTestId('audience-count').locator(`[data-count="${baseline + 2}"]`).waitFor();
    await liveCountIs(baseline + 2, 'the saved rules');
    check(await page.getByRole('button', { name: 'Save query' }).isDisabled(), '"Save query" is enabled although the rules are the saved ones');
    const preview = page.getByRole('table', { name: 'Preview rows' });
    for (const key of ['a', 'b']) await preview.getByText(email(key)).waitFor();
    for (const key of ['c', 'd', 'e', 'f']) check(await preview.getByText(email(key)).count() === 0, `the preview shows ${email(key)}`);
    await shot('47-audience-detail');
  });

  await step('a column added to the preview goes into the export link, which downloads the CSV of the 2 profiles', async () => {
    await page.getByRole('button', { name: /^Columns/ }).click();
    await page.getByRole('checkbox', { name: 'No longer contact by email' }).check();
    await page.getByRole('button', { name: /^Columns/ }).click();
    const preview = page.getByRole('table', { name: 'Preview rows' });
    await preview.getByRole('columnheader', { name: 'No longer contact by email' }).waitFor();
    await preview.getByText(email('a')).waitFor();
    const href = await page.getByRole('link', { name: 'Export CSV' }).getAttribute('href');
    check(href && /\/export\?columns=.*blockEmail/.test(decodeURIComponent(href)), `the export link is ${href}`);
    const res = await page.request.get(href);
    const body = await res.text();
    check(res.status() === 200, `GET ${href} answered ${res.status()}: ${body.slice(0, 200)}`);
    check(body.split('\n')[0].includes('blockEmail'), `the CSV header is ${body.split('\n')[0]}`);
    for (const key of ['a', 'b']) check(body.includes(email(key)), `the CSV lacks ${email(key)}`);
    for (const key of ['c', 'd', 'e', 'f']) check(!body.includes(email(key)), `the CSV has ${email(key)}`);
    await shot('48-audience-preview-columns');
  });

  await step('log out', logout);
}

await run(main, { timeoutMs: RUN_TIMEOUT_MS });
