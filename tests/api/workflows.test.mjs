// Workflows over HTTP (issue 9): the resource (CRUD, versions, problems and ports of graphs that
// cannot run yet, 400 for JSON that is not a graph), the palette, permissions, the run commands
// (start, pause, resume, stop, restart) and an External signal whose parameter becomes a run
// variable that a Test activity branches on. The acceptance workflow (targeting, segments,
// deliveries) and the crash test are in workflow_acceptance.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer, adminClient, userClient, errorOf, waitFor, BIN } from './lib.mjs';

const FAST = { OVERTURE_WORKFLOW_TICK_MILLISECONDS: '50' };

// A graph's pieces.
const A = (id, type, params = {}, extra = {}) => ({ id, type, label: id, x: 0, y: 0, params, ...extra });
const T = (id, from, to, fromPort = 'out', toPort = 'in') => ({ id, from, fromPort, to, toPort });

let server, admin, marketer, analyst;

before(async () => {
  server = await startServer({ env: FAST });
  admin = await adminClient(server);
  marketer = await userClient(server, admin, 'wf-marketer', 'marketer');
  analyst = await userClient(server, admin, 'wf-analyst', 'analyst');
});
after(async () => {
  if (process.env.OVERTURE_TEST_LOGS) console.log(server?.logs());
  await server?.stop();
});

async function create(client, body) {
  const r = await client.post('/api/v1/workflows', body);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

// The run detail once `pred` holds for it.
async function runUntil(client, wf, runId, what, pred, timeoutMs = 30000) {
  return waitFor(`${what} (workflow ${wf}, run ${runId})`, async () => {
    const r = await client.get(`/api/v1/workflows/${wf}/runs/${runId}`);
    assert.equal(r.status, 200, r.text);
    if (r.json.status === 'failed' && !what.includes('failed')) {
      throw new Error(`run failed: ${r.json.error} ${JSON.stringify(r.json.tasks)}`);
    }
    return pred(r.json) ? r.json : null;
  }, timeoutMs, 50);
}

test('create, read, list, count, change with versions, delete; audited', async () => {
  const graph = { activities: [A('start', 'start'), A('end', 'end')], transitions: [T('t1', 'start', 'end')] };
  const made = await marketer.post('/api/v1/workflows', { label: '  Nightly  ', description: 'Every night', graph });
  assert.equal(made.status, 201, made.text);
  const w = made.json;
  assert.equal(made.headers.get('location'), `/api/v1/workflows/${w.id}`);
  assert.equal(w.label, 'Nightly');
  assert.equal(w.description, 'Every night');
  assert.equal(w.version, 1);
  assert.equal(w.createdBy, 'wf-marketer');
  assert.equal(w.modifiedBy, 'wf-marketer');
  assert.match(w.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  assert.equal(w.activeRun, null);
  assert.equal(w.lastRun, null);
  assert.deepEqual(w.problems, []);
  assert.deepEqual(w.ports, { start: { in: [], out: ['out'] }, end: { in: ['in'], out: [] } });
  assert.deepEqual(w.graph.activities.map((a) => [a.id, a.type]), [['start', 'start'], ['end', 'end']]);
  assert.deepEqual(w.graph.transitions.map((t) => [t.id, t.from, t.fromPort, t.to, t.toPort]),
    [['t1', 'start', 'out', 'end', 'in']]);

  const empty = await create(marketer, { label: 'Empty one' });
  assert.deepEqual(empty.graph.activities, []);
  assert.deepEqual(empty.graph.transitions, []);

  const got = await analyst.get(`/api/v1/workflows/${w.id}`);
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.json.graph, w.graph);
  const list = await analyst.get('/api/v1/workflows?limit=1');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.items.length, 1);
  assert.equal(list.json.items[0].id, empty.id);  // newest first
  assert.equal(list.json.items[0].graph, undefined);  // summaries
  assert.ok(list.json.next);
  const second = await analyst.get(`/api/v1/workflows?limit=1&cursor=${encodeURIComponent(list.json.next)}`);
  assert.equal(second.json.items[0].id, w.id);
  assert.equal((await analyst.get('/api/v1/workflows/_count')).json.count, 2);
  assert.equal((await analyst.get('/api/v1/workflows/_count?q=NIGHT')).json.count, 1);
  assert.deepEqual((await analyst.get('/api/v1/workflows?q=night')).json.items.map((x) => x.id), [w.id]);

  // The label and the graph move the version; the description alone does not.
  const renamed = await marketer.patch(`/api/v1/workflows/${w.id}`, { label: 'Nightly import', version: 1 });
  assert.equal(renamed.status, 200, renamed.text);
  assert.equal(renamed.json.version, 2);
  const stale = errorOf(assert, await admin.patch(`/api/v1/workflows/${w.id}`, { label: 'Mine', version: 1 }),
                        409, 'failed_precondition');
  assert.equal(stale.details.field, 'version');
  assert.equal(stale.details.current, '2');
  const described = await admin.patch(`/api/v1/workflows/${w.id}`, { description: 'Now and then' });
  assert.equal(described.json.version, 2);
  assert.equal(described.json.modifiedBy, 'admin');
  const regraphed = await admin.patch(`/api/v1/workflows/${w.id}`, {
    version: 2, graph: { activities: [A('start', 'start')], transitions: [] } });
  assert.equal(regraphed.status, 200, regraphed.text);
  assert.equal(regraphed.json.version, 3);
  assert.deepEqual(regraphed.json.graph.activities.map((a) => a.id), ['start']);

  errorOf(assert, await marketer.patch(`/api/v1/workflows/${w.id}`, { label: '' }), 400, 'invalid_argument');
  errorOf(assert, await marketer.patch(`/api/v1/workflows/${w.id}`, { label: 'x'.repeat(201) }), 400);
  errorOf(assert, await marketer.patch(`/api/v1/workflows/${w.id}`, { description: 'x'.repeat(2001) }), 400);
  errorOf(assert, await marketer.patch(`/api/v1/workflows/${w.id}`, { colour: 'red' }), 400);
  errorOf(assert, await marketer.post('/api/v1/workflows', {}), 400);
  errorOf(assert, await marketer.get('/api/v1/workflows/999999'), 404, 'not_found');
  errorOf(assert, await marketer.get('/api/v1/workflows/abc'), 404, 'not_found');

  const deleted = await marketer.del(`/api/v1/workflows/${w.id}`);
  assert.equal(deleted.status, 204, deleted.text);
  errorOf(assert, await marketer.get(`/api/v1/workflows/${w.id}`), 404);
  errorOf(assert, await marketer.del(`/api/v1/workflows/${w.id}`), 404);

  const audit = await admin.get('/api/v1/audit?limit=100');
  const mine = audit.json.items.filter((e) => e.targetType === 'workflow' && e.targetId === String(w.id));
  assert.deepEqual(mine.map((e) => e.action),
    ['workflow.delete', 'workflow.update', 'workflow.update', 'workflow.update', 'workflow.create']);
});

test('problems and ports of graphs that cannot run yet; 400 for JSON that is not a graph', async () => {
  const graph = {
    activities: [
      A('start', 'start'),
      A('q', 'query', { resource: 'profile', expression: 'colour = "red"' }),  // no such field
      A('seg', 'segmentation', {
        segments: [{ code: 'control', limit: { kind: 'percent', value: 10, random: true } },
                   { code: 'FR', filter: 'country = "FR"' }],
        complement: { enabled: true, code: 'rest' } }),
      A('ex', 'exclusion'),
      A('check', 'test', { condition: 'count > 10' }),
      A('beam', 'teleport'),
      A('lonely', 'end'),
    ],
    transitions: [T('t1', 'start', 'q'), T('t2', 'q', 'seg'), T('t3', 'seg', 'ex', 'FR'),
                  T('t4', 'ex', 'check'), T('t5', 'check', 'ghost')],
  };
  const w = await create(marketer, { label: 'Work in progress', graph });
  const about = (id) => w.problems.filter((p) => p.activity === id);
  assert.ok(about('q').some((p) => p.field.startsWith('params')), JSON.stringify(w.problems));
  assert.ok(about('beam').length > 0, JSON.stringify(w.problems));
  assert.ok(w.problems.some((p) => p.transition === 't5'), JSON.stringify(w.problems));
  assert.ok(about('lonely').length > 0, 'an activity nothing reaches is a problem');
  for (const p of w.problems) {
    assert.deepEqual(Object.keys(p).sort(), ['activity', 'field', 'message', 'transition']);
    assert.ok(p.message.length > 0);
  }
  assert.deepEqual(w.ports.seg.in, ['in']);
  assert.deepEqual([...w.ports.seg.out].sort(), ['FR', 'control', 'rest']);
  assert.deepEqual([...w.ports.ex.in].sort(), ['exclude', 'in']);
  assert.deepEqual([...w.ports.check.out].sort(), ['false', 'true']);
  assert.equal(w.ports.beam, undefined);

  // The same answer without saving.
  const checked = await analyst.post('/api/v1/workflows/check', { graph });
  assert.equal(checked.status, 200, checked.text);
  assert.deepEqual(checked.json.problems, w.problems);
  assert.deepEqual(checked.json.ports, w.ports);
  const fine = await analyst.post('/api/v1/workflows/check', {
    graph: { activities: [A('s', 'start'), A('e', 'end')], transitions: [T('t', 's', 'e')] } });
  assert.deepEqual(fine.json.problems, []);

  // A graph with problems does not start.
  const refused = errorOf(assert, await marketer.post(`/api/v1/workflows/${w.id}/start`, {}), 409, 'failed_precondition');
  assert.ok(Number(refused.details.problems) >= 3, JSON.stringify(refused));
  assert.equal((await marketer.get(`/api/v1/workflows/${w.id}/runs`)).json.items.length, 0);

  // Not a graph at all: 400 naming the member.
  const bad = async (g, field) => {
    const e = errorOf(assert, await marketer.post('/api/v1/workflows', { label: 'Bad', graph: g }), 400, 'invalid_argument');
    assert.match(e.details.field ?? '', field, JSON.stringify(e));
    const c = errorOf(assert, await marketer.post('/api/v1/workflows/check', { graph: g }), 400, 'invalid_argument');
    assert.match(c.details.field ?? '', field);
  };
  await bad('a graph', /^graph/);
  await bad({ activities: 'many' }, /^graph\.activities/);
  await bad({ activities: [{ type: 'start' }] }, /^graph\.activities\[0\]/);
  await bad({ activities: [A('x', 'start'), A('x', 'end')] }, /^graph\.activities\[1\]/);
  await bad({ activities: [A('bad id!', 'start')] }, /^graph\.activities\[0\]/);
  await bad({ activities: [], transitions: [{ id: 't', from: 7 }] }, /^graph\.transitions\[0\]/);
  errorOf(assert, await marketer.patch(`/api/v1/workflows/${w.id}`, { graph: [] }), 400);
  errorOf(assert, await marketer.post('/api/v1/workflows/check', {}), 400);
  const huge = { activities: [A('s', 'start', { note: 'x'.repeat(1100 * 1024) })], transitions: [] };
  const tooBig = await marketer.post('/api/v1/workflows', { label: 'Huge', graph: huge });
  assert.ok([400, 413].includes(tooBig.status), tooBig.text);
});

test('the palette lists every activity type', async () => {
  const r = await analyst.get('/api/v1/workflows/activity-types');
  assert.equal(r.status, 200, r.text);
  const byType = new Map(r.json.items.map((t) => [t.type, t]));
  for (const type of ['start', 'end', 'fork', 'andJoin', 'scheduler', 'externalSignal', 'wait', 'test', 'alert',
    'query', 'incrementalQuery', 'readAudience', 'saveAudience', 'union', 'intersection', 'exclusion',
    'segmentation', 'deduplication', 'enrichment', 'emailDelivery', 'loadFile', 'updateData', 'extractFile',
    'transferFile', 'subscriptionServices']) {
    assert.ok(byType.has(type), `${type} is missing from ${JSON.stringify([...byType.keys()])}`);
  }
  assert.deepEqual(byType.get('start'), { type: 'start', category: 'flow', label: byType.get('start').label,
                                          inputMode: 'none', canStart: true });
  assert.equal(byType.get('externalSignal').inputMode, 'each');
  assert.equal(byType.get('externalSignal').canStart, true);
  assert.equal(byType.get('query').category, 'targeting');
  assert.equal(byType.get('query').canStart, false);
  assert.equal(byType.get('union').inputMode, 'all');
  assert.equal(byType.get('emailDelivery').category, 'channel');
  assert.equal(byType.get('loadFile').category, 'data');
  for (const t of r.json.items) assert.ok(t.label.length > 0);
});

test('permissions: an analyst reads but cannot create, change, start or delete', async () => {
  const w = await create(marketer, { label: 'Guarded', graph: {
    activities: [A('start', 'start'), A('end', 'end')], transitions: [T('t', 'start', 'end')] } });
  assert.equal((await analyst.get(`/api/v1/workflows/${w.id}`)).status, 200);
  assert.equal((await analyst.get(`/api/v1/workflows/${w.id}/runs`)).status, 200);
  errorOf(assert, await analyst.post('/api/v1/workflows', { label: 'Mine' }), 403, 'permission_denied');
  errorOf(assert, await analyst.patch(`/api/v1/workflows/${w.id}`, { label: 'Mine' }), 403);
  errorOf(assert, await analyst.post(`/api/v1/workflows/${w.id}/start`, {}), 403);
  errorOf(assert, await analyst.post(`/api/v1/workflows/${w.id}/stop`), 403);
  errorOf(assert, await analyst.post(`/api/v1/workflows/${w.id}/signal/start`, {}), 403);
  errorOf(assert, await analyst.del(`/api/v1/workflows/${w.id}`), 403);
  const anonymous = await fetch(`${server.url}/api/v1/workflows`);
  assert.equal(anonymous.status, 401);
});

test('start, pause, resume, stop and restart a run; one active run at a time', async () => {
  const w = await create(marketer, { label: 'Waits an hour', graph: {
    activities: [A('start', 'start'), A('nap', 'wait', { kind: 'duration', seconds: 3600 }), A('end', 'end')],
    transitions: [T('t1', 'start', 'nap'), T('t2', 'nap', 'end')] } });
  errorOf(assert, await marketer.post(`/api/v1/workflows/${w.id}/pause`), 409, 'failed_precondition');
  errorOf(assert, await marketer.post(`/api/v1/workflows/${w.id}/restart`), 409);

  const started = await marketer.post(`/api/v1/workflows/${w.id}/start`, { variables: { campaign: 'winter' } });
  assert.equal(started.status, 201, started.text);
  const run = started.json;
  assert.equal(started.headers.get('location'), `/api/v1/workflows/${w.id}/runs/${run.id}`);
  assert.equal(run.workflowId, w.id);
  assert.equal(run.number, 1);
  assert.equal(run.status, 'running');
  assert.equal(run.dryRun, false);
  assert.equal(run.version, w.version);
  assert.equal(run.startedBy, 'wf-marketer');
  assert.equal(run.finishedAt, null);
  assert.equal(run.variables.campaign, 'winter');
  assert.deepEqual(run.graph.activities.map((a) => a.id), ['start', 'nap', 'end']);

  const waiting = await runUntil(marketer, w.id, run.id, 'the wait task waits',
                                 (d) => d.activities.nap?.status === 'waiting');
  assert.equal(waiting.activities.start.status, 'done');
  assert.equal(waiting.activities.start.tasks, 1);
  assert.ok(waiting.tasks.some((t) => t.activity === 'nap' && t.wakeAt !== null));
  const t1 = waiting.transitions.find((t) => t.transition === 't1');
  assert.ok(t1 && t1.times === 1, JSON.stringify(waiting.transitions));

  const summary = (await marketer.get(`/api/v1/workflows/${w.id}`)).json;
  assert.equal(summary.activeRun.id, run.id);
  assert.equal(summary.lastRun.id, run.id);
  const again = errorOf(assert, await marketer.post(`/api/v1/workflows/${w.id}/start`), 409, 'failed_precondition');
  assert.equal(again.details.runId, String(run.id));
  errorOf(assert, await marketer.del(`/api/v1/workflows/${w.id}`), 409, 'failed_precondition');
  errorOf(assert, await marketer.post(`/api/v1/workflows/${w.id}/resume`), 409);

  const paused = await marketer.post(`/api/v1/workflows/${w.id}/pause`);
  assert.equal(paused.status, 200, paused.text);
  assert.equal(paused.json.status, 'paused');
  assert.equal(paused.json.id, run.id);
  errorOf(assert, await marketer.post(`/api/v1/workflows/${w.id}/pause`), 409);
  const resumed = await marketer.post(`/api/v1/workflows/${w.id}/resume`);
  assert.equal(resumed.status, 200, resumed.text);
  assert.equal(resumed.json.status, 'running');

  const stopped = await marketer.post(`/api/v1/workflows/${w.id}/stop`);
  assert.equal(stopped.status, 200, stopped.text);
  assert.ok(['stopping', 'stopped'].includes(stopped.json.status), stopped.json.status);
  const done = await runUntil(marketer, w.id, run.id, 'the run stopped', (d) => d.status === 'stopped');
  assert.ok(done.finishedAt);
  assert.equal(done.activities.nap.status, 'cancelled');
  assert.equal((await marketer.get(`/api/v1/workflows/${w.id}`)).json.activeRun, null);
  errorOf(assert, await marketer.post(`/api/v1/workflows/${w.id}/stop`), 409);

  // A dry run does not wait: the Wait fires at once.
  const dry = await marketer.post(`/api/v1/workflows/${w.id}/start`, { dryRun: true });
  assert.equal(dry.status, 201, dry.text);
  assert.equal(dry.json.number, 2);
  assert.equal(dry.json.dryRun, true);
  await runUntil(marketer, w.id, dry.json.id, 'the dry run finished', (d) => d.status === 'finished');

  // Restart: stops the active run and starts the next one.
  const third = await marketer.post(`/api/v1/workflows/${w.id}/start`);
  assert.equal(third.status, 201, third.text);
  const restarted = await marketer.post(`/api/v1/workflows/${w.id}/restart`);
  assert.equal(restarted.status, 200, restarted.text);
  assert.equal(restarted.json.number, 4);
  assert.equal(restarted.json.dryRun, false);
  assert.equal(restarted.json.status, 'running');
  const third2 = (await marketer.get(`/api/v1/workflows/${w.id}/runs/${third.json.id}`)).json;
  assert.equal(third2.status, 'stopped');
  await marketer.post(`/api/v1/workflows/${w.id}/stop`);
  await runUntil(marketer, w.id, restarted.json.id, 'the fourth run stopped', (d) => d.status === 'stopped');

  const runs = await marketer.get(`/api/v1/workflows/${w.id}/runs?limit=3`);
  assert.equal(runs.status, 200, runs.text);
  assert.deepEqual(runs.json.items.map((r) => r.number), [4, 3, 2]);
  const rest = await marketer.get(`/api/v1/workflows/${w.id}/runs?limit=3&cursor=${encodeURIComponent(runs.json.next)}`);
  assert.deepEqual(rest.json.items.map((r) => r.number), [1]);
  assert.equal(rest.json.next, null);
  for (const r of runs.json.items) {
    assert.deepEqual(Object.keys(r).sort(), ['dryRun', 'error', 'finishedAt', 'id', 'number', 'startedAt',
      'startedBy', 'status', 'version', 'workflowId']);
  }
  errorOf(assert, await marketer.get(`/api/v1/workflows/${w.id}/runs/999999`), 404);

  // The log, paged with `after`.
  const logs = await marketer.get(`/api/v1/workflows/${w.id}/runs/${run.id}/logs`);
  assert.equal(logs.status, 200, logs.text);
  assert.ok(Array.isArray(logs.json.items));
  if (logs.json.items.length >= 2) {
    const first = await marketer.get(`/api/v1/workflows/${w.id}/runs/${run.id}/logs?limit=1`);
    assert.equal(first.json.items.length, 1);
    assert.equal(first.json.next, first.json.items[0].id);
    const after = await marketer.get(`/api/v1/workflows/${w.id}/runs/${run.id}/logs?after=${first.json.next}`);
    assert.deepEqual(after.json.items.map((e) => e.id), logs.json.items.slice(1).map((e) => e.id));
    for (const e of logs.json.items) {
      assert.ok(['info', 'warning', 'error'].includes(e.level));
      assert.match(e.at, /^\d{4}-/);
    }
  }
  errorOf(assert, await marketer.get(`/api/v1/workflows/${w.id}/runs/${run.id}/logs?after=x`), 400);

  const audit = await admin.get('/api/v1/audit?limit=100');
  const actions = audit.json.items.filter((e) => e.targetType === 'workflow' && e.targetId === String(w.id))
    .map((e) => e.action);
  for (const a of ['workflow.start', 'workflow.pause', 'workflow.resume', 'workflow.stop']) {
    assert.ok(actions.includes(a), `${a} is not in the audit trail: ${actions}`);
  }
  const deleted = await marketer.del(`/api/v1/workflows/${w.id}`);
  assert.equal(deleted.status, 204, deleted.text);
});

test('an External signal: its parameter becomes a run variable and a Test branches on it', async () => {
  const graph = {
    activities: [
      A('sig', 'externalSignal', { parameters: [{ name: 'country', type: 'string', required: true }] }),
      A('isFr', 'test', { condition: 'country = "FR"' }),
      A('yes', 'alert', { message: 'French', level: 'info' }),
      A('no', 'alert', { message: 'Not French', level: 'warning' }),
      A('end1', 'end'), A('end2', 'end'),
    ],
    transitions: [T('t1', 'sig', 'isFr'), T('tYes', 'isFr', 'yes', 'true'), T('tNo', 'isFr', 'no', 'false'),
                  T('t3', 'yes', 'end1'), T('t4', 'no', 'end2')],
  };
  const w = await create(marketer, { label: 'On signal', graph });
  assert.deepEqual(w.problems, []);
  errorOf(assert, await marketer.post(`/api/v1/workflows/${w.id}/signal/sig`, { parameters: { country: 'FR' } }),
          409, 'failed_precondition');

  const branch = async (country) => {
    const run = (await marketer.post(`/api/v1/workflows/${w.id}/start`)).json;
    await runUntil(marketer, w.id, run.id, 'the signal waits', (d) => d.activities.sig?.status === 'waiting');
    errorOf(assert, await marketer.post(`/api/v1/workflows/${w.id}/signal/isFr`, { parameters: { country } }), 409);
    const signalled = await marketer.post(`/api/v1/workflows/${w.id}/signal/sig`, { parameters: { country } });
    assert.equal(signalled.status, 200, signalled.text);
    assert.equal(signalled.json.id, run.id);
    const done = await runUntil(marketer, w.id, run.id, 'the run finished', (d) => d.status === 'finished');
    assert.equal(done.variables.country, country);
    return done;
  };
  const fr = await branch('FR');
  assert.equal(fr.activities.yes.status, 'done');
  assert.equal(fr.activities.no, undefined);
  assert.equal(fr.transitions.find((t) => t.transition === 'tYes').times, 1);
  assert.equal(fr.transitions.find((t) => t.transition === 'tNo'), undefined);
  const de = await branch('DE');
  assert.equal(de.activities.no.status, 'done');
  assert.equal(de.activities.yes, undefined);
  const logs = (await marketer.get(`/api/v1/workflows/${w.id}/runs/${de.id}/logs`)).json.items;
  assert.ok(logs.some((e) => e.activity === 'no' && e.level === 'warning' && e.message.includes('Not French')),
            JSON.stringify(logs));
  const audit = await admin.get('/api/v1/audit?limit=100');
  assert.ok(audit.json.items.some((e) => e.action === 'workflow.signal' && e.targetId === String(w.id)));
});

test('overture workflow run executes a run in the foreground and prints its log', async () => {
  const w = await create(marketer, { label: 'From the command line', graph: {
    activities: [A('start', 'start'), A('nap', 'wait', { kind: 'duration', seconds: 1 }), A('end', 'end')],
    transitions: [T('t1', 'start', 'nap'), T('t2', 'nap', 'end')] } });
  const env = { ...process.env, OVERTURE_SECURITY_SECRET_KEY_FILE: path.join(server.files, 'secret.key'),
                OVERTURE_WORKFLOW_DIRECTORY: path.join(server.files, 'workflows'), OVERTURE_LOG_LEVEL: 'warn' };
  const out = execFileSync(BIN, ['workflow', 'run', String(w.id), '--database', server.dbUrl],
                           { encoding: 'utf8', env, timeout: 60000 });
  assert.match(out, /^Run #1 \(id \d+\) of workflow \d+/);
  assert.match(out, / nap info: /);
  assert.match(out, /Run #1 finished\n$/);
  const runs = (await marketer.get(`/api/v1/workflows/${w.id}/runs`)).json.items;
  assert.equal(runs[0].status, 'finished');
  assert.equal(runs[0].startedBy, 'system');
  let failed;
  try {
    execFileSync(BIN, ['workflow', 'run', '999999', '--database', server.dbUrl], { encoding: 'utf8', env, stdio: 'pipe' });
  } catch (e) { failed = e; }
  assert.equal(failed?.status, 2);
  assert.match(String(failed.stderr), /no workflow with id 999999/);
});
