// Issue 9's acceptance over HTTP: a workflow Scheduler (once, a few seconds ahead) -> Query
// (profiles in FR, DE, IT) -> Segmentation (a random 10% control group first, FR, DE, the rest)
// -> Exclusion of a list audience, per segment -> one Email delivery per segment (an SMTP route
// into a real SMTP peer, aiosmtpd) -> End. The counts on every transition must equal the same
// numbers computed in plain SQL against the database, the messages the peer received must be those, and the sending logs carry the segment codes.
// Then the crash test: a server killed (-9) while a Segmentation runs; a new server on the same
// database finishes the run, with the counts of an uninterrupted run of the same workflow.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, adminClient, errorOf, waitFor, mapLimit, startSmtpSink, seededRandom, sql, sqlCount,
} from './lib.mjs';

const FAST = {
  OVERTURE_WORKFLOW_TICK_MILLISECONDS: '100',
  OVERTURE_DELIVERY_TICK_MILLISECONDS: '50',
  OVERTURE_DELIVERY_LEASE_SECONDS: '3',
  OVERTURE_DELIVERY_BATCH_SIZE: '100',
};
const COUNTRIES = ['FR', 'FR', 'DE', 'IT', 'ES', 'GB', 'DE', 'US', 'IT', 'FR'];
const CODES = ['control', 'FR', 'DE', 'rest'];

const A = (id, type, params = {}) => ({ id, type, label: id, x: 0, y: 0, params });
const T = (id, from, to, fromPort = 'out', toPort = 'in') => ({ id, from, fromPort, to, toPort });

const CONTENT = {
  from: { name: 'The Shop', address: 'news@shop.example' },
  subject: 'Winter offer for {{ profile.firstName }}',
  html: '<p>Dear {{ profile.firstName }},</p><p>Our offer.</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
  text: 'Dear {{ profile.firstName }},\nOur offer.\nUnsubscribe: {{ unsubscribe_url }}\n',
};

// `n` profiles through the API, countries drawn with a fixed seed; returns them.
async function makeProfiles(client, n, prefix, seed) {
  const rnd = seededRandom(seed);
  const people = Array.from({ length: n }, (_, i) => ({
    email: `${prefix}${i}@example.com`, firstName: `${prefix}${i}`, country: COUNTRIES[rnd.int(COUNTRIES.length)],
  }));
  return mapLimit(people, 8, async (p) => {
    const r = await client.post('/api/v1/profiles', p);
    assert.equal(r.status, 201, r.text);
    return r.json;
  });
}

async function runUntilDone(client, wf, runId, timeoutMs = 120000) {
  return waitFor(`run ${runId} of workflow ${wf} finished`, async () => {
    const r = await client.get(`/api/v1/workflows/${wf}/runs/${runId}`);
    assert.equal(r.status, 200, r.text);
    if (['failed', 'stopped'].includes(r.json.status)) {
      throw new Error(`run ${r.json.status}: ${r.json.error} ${JSON.stringify(r.json.tasks)}`);
    }
    return r.json.status === 'finished' ? r.json : null;
  }, timeoutMs, 200);
}

const countsOf = (run) => Object.fromEntries(run.transitions.map((t) => [t.transition, t.count]));

let server, admin, sink;

before(async () => {
  sink = await startSmtpSink();
  server = await startServer({ env: FAST });
  admin = await adminClient(server);
});
after(async () => {
  if (process.env.OVERTURE_TEST_LOGS) console.log(server?.logs());
  await server?.stop();
  sink?.stop();
});

test('scheduler, query, segments, exclusion, a delivery per segment: counts equal SQL, mails received', async () => {
  const db = server.dbUrl;
  const profiles = await makeProfiles(admin, 300, 'wf', 9);
  // A list audience of every seventh profile, excluded from every segment.
  const list = await admin.post('/api/v1/audiences', { label: 'Do not mail', kind: 'list' });
  assert.equal(list.status, 201, list.text);
  const blocked = profiles.filter((_, i) => i % 7 === 3).map((p) => p.id);
  const added = await admin.request('POST', `/api/v1/audiences/${list.json.id}/members?key=id`,
                                    { raw: blocked.join('\n') + '\n', headers: { 'content-type': 'text/csv' } });
  assert.equal(added.status, 200, added.text);
  assert.equal(added.json.added, blocked.length);

  const route = await admin.post('/api/v1/routes', {
    name: 'wf', label: 'wf', kind: 'smtp', smtp: { host: '127.0.0.1', port: sink.port, tls: 'none', poolSize: 4 },
  });
  assert.equal(route.status, 201, route.text);
  const template = await admin.post('/api/v1/deliveries', {
    label: 'Winter template', isTemplate: true, routeId: route.json.id, content: CONTENT,
    settings: { schedule: { kind: 'now' }, validityHours: 24, retryDelaySeconds: 10 },
  });
  assert.equal(template.status, 201, template.text);

  const at = new Date(Date.now() + 6000).toISOString().slice(0, 19);
  const activities = [
    A('sched', 'scheduler', { kind: 'once', at, timeZone: 'UTC' }),
    A('q', 'query', { resource: 'profile', expression: 'country in ("FR", "DE", "IT")' }),
    A('aud', 'readAudience', { audienceId: list.json.id }),
    A('seg', 'segmentation', {
      segments: [{ code: 'control', limit: { kind: 'percent', value: 10, random: true } },
                 { code: 'FR', filter: 'country = "FR"' },
                 { code: 'DE', filter: 'country = "DE"' }],
      complement: { enabled: true, code: 'rest' } }),
  ];
  const transitions = [T('t_sq', 'sched', 'q'), T('t_sa', 'sched', 'aud'), T('t_qs', 'q', 'seg')];
  for (const c of CODES) {
    activities.push(A(`ex_${c}`, 'exclusion'),
                    A(`mail_${c}`, 'emailDelivery', { templateId: template.json.id, label: `wf:${c}` }),
                    A(`end_${c}`, 'end'));
    transitions.push(T(`t_seg_${c}`, 'seg', `ex_${c}`, c), T(`t_aud_${c}`, 'aud', `ex_${c}`, 'out', 'exclude'),
                     T(`t_ex_${c}`, `ex_${c}`, `mail_${c}`), T(`t_mail_${c}`, `mail_${c}`, `end_${c}`));
  }
  const made = await admin.post('/api/v1/workflows', { label: 'Winter campaign', graph: { activities, transitions } });
  assert.equal(made.status, 201, made.text);
  const wf = made.json;
  assert.deepEqual(wf.problems, [], JSON.stringify(wf.problems));

  const started = await admin.post(`/api/v1/workflows/${wf.id}/start`);
  assert.equal(started.status, 201, started.text);
  const early = (await admin.get(`/api/v1/workflows/${wf.id}/runs/${started.json.id}`)).json;
  assert.ok(['waiting', 'pending', 'running'].includes(early.activities.sched?.status), JSON.stringify(early.tasks));
  assert.equal(early.activities.q, undefined, 'the query waits for the scheduler');
  const run = await runUntilDone(admin, wf.id, started.json.id);
  const counts = countsOf(run);

  // The same numbers in SQL.
  const inQuery = `country IN ('FR', 'DE', 'IT')`;
  const members = `SELECT profile_id FROM audience_members WHERE audience_id = ${list.json.id}`;
  const q = sqlCount(db, `SELECT count(*) FROM profiles WHERE ${inQuery}`);
  assert.ok(q > 100, `only ${q} profiles in FR, DE, IT`);
  assert.equal(counts.t_qs, q);
  assert.equal(counts.t_sq ?? null, null, 'the scheduler carries no population');
  assert.equal(counts.t_sa ?? null, null);
  const audienceSize = sqlCount(db, `SELECT count(*) FROM (${members}) m`);
  assert.equal(audienceSize, blocked.length);
  const segTotal = CODES.reduce((n, c) => n + counts[`t_seg_${c}`], 0);
  assert.equal(segTotal, q, 'every row lands in exactly one segment');
  assert.ok(Math.abs(counts.t_seg_control - q * 0.1) < 1, `control ${counts.t_seg_control} of ${q}`);
  for (const c of CODES) {
    assert.equal(counts[`t_aud_${c}`], audienceSize);
    assert.equal(counts[`t_mail_${c}`], counts[`t_ex_${c}`], 'an email delivery passes its population on');
  }
  const removed = CODES.reduce((n, c) => n + counts[`t_seg_${c}`] - counts[`t_ex_${c}`], 0);
  assert.equal(removed, sqlCount(db, `SELECT count(*) FROM profiles WHERE ${inQuery} AND id IN (${members})`));

  // The deliveries: one per segment, finished, with that segment's code on every sending log.
  const deliveries = (await admin.get('/api/v1/deliveries?limit=500')).json.items;
  const byCode = {};
  for (const c of CODES) {
    const d = deliveries.filter((x) => x.label.includes(`wf:${c}`));
    assert.equal(d.length, 1, `one delivery for ${c}: ${JSON.stringify(deliveries.map((x) => x.label))}`);
    byCode[c] = d[0].id;
  }
  for (const c of CODES) {
    await waitFor(`delivery of ${c} finished`, async () => {
      const d = (await admin.get(`/api/v1/deliveries/${byCode[c]}`)).json;
      if (d.state === 'failed') throw new Error(`delivery failed: ${JSON.stringify(d)}`);
      return d.state === 'finished';
    }, 120000, 200);
  }
  const recipients = (c, where = '') => `SELECT profile_id FROM delivery_recipients WHERE delivery_id = ${byCode[c]}${where}`;
  for (const c of CODES) {
    assert.equal(sqlCount(db, `SELECT count(*) FROM (${recipients(c)}) r`), counts[`t_ex_${c}`], c);
    assert.equal(sqlCount(db, `SELECT count(*) FROM (${recipients(c)}) r WHERE profile_id IN (${members})`), 0);
  }
  // Given the control group that was mailed, the other segments are exact: FR and DE take their
  // country, the rest takes IT; none overlaps, the audience is left out.
  const control = recipients('control');
  const expect = (country) => sqlCount(db, `SELECT count(*) FROM profiles WHERE country = '${country}' ` +
                                           `AND id NOT IN (${members}) AND id NOT IN (${control})`);
  assert.equal(counts.t_ex_FR, expect('FR'));
  assert.equal(counts.t_ex_DE, expect('DE'));
  assert.equal(counts.t_ex_rest, expect('IT'));
  assert.equal(sqlCount(db, `SELECT count(*) FROM (${control}) c WHERE profile_id NOT IN (SELECT id FROM profiles WHERE ${inQuery})`), 0);
  for (const c of CODES) {
    const codes = sql(db, `SELECT DISTINCT segment_code FROM delivery_recipients WHERE delivery_id = ${byCode[c]}`);
    assert.deepEqual(codes.map((r) => r[0]), [c]);
    const logs = await admin.get(`/api/v1/deliveries/${byCode[c]}/logs?limit=500`);
    assert.equal(logs.status, 200, logs.text);
    assert.ok(logs.json.items.length > 0);
    assert.ok(logs.json.items.every((e) => e.segmentCode === c), JSON.stringify(logs.json.items[0]));
  }

  // The messages received are exactly those.
  const emailOf = new Map(profiles.map((p) => [p.id, p.email]));
  const received = sink.messages();
  assert.equal(received.length, CODES.reduce((n, c) => n + counts[`t_ex_${c}`], 0));
  for (const c of CODES) {
    const want = sql(db, recipients(c)).map((r) => emailOf.get(Number(r[0]))).sort();
    const got = received.filter((m) => (m.headers['message-id'] ?? '').startsWith(`<ov.${byCode[c]}.`))
      .map((m) => m.headers.to.replace(/^.*<|>.*$/g, '')).sort();
    assert.deepEqual(got, want, c);
  }

  // Counts in the run as the canvas shows them, and the log.
  assert.ok(Object.values(run.activities).every((a) => a.status === 'done'), JSON.stringify(run.activities));
  const logs = (await admin.get(`/api/v1/workflows/${wf.id}/runs/${run.id}/logs?limit=500`)).json.items;
  assert.ok(logs.some((e) => e.activity === 'q' && e.rows === q), JSON.stringify(logs.filter((e) => e.activity === 'q')));
  const summary = (await admin.get(`/api/v1/workflows/${wf.id}`)).json;
  assert.equal(summary.activeRun, null);
  assert.equal(summary.lastRun.id, run.id);
  assert.equal(summary.lastRun.status, 'finished');
  errorOf(assert, await admin.post(`/api/v1/workflows/${wf.id}/stop`), 409);
});

test('kill -9 during a Segmentation: a new server finishes the run with the counts of an uninterrupted run', async () => {
  const env = { ...FAST, OVERTURE_WORKFLOW_STEP_DELAY_MILLISECONDS: '1500', OVERTURE_WORKFLOW_LEASE_SECONDS: '2' };
  const first = await startServer({ env });
  let second;
  try {
    const client = await adminClient(first);
    await makeProfiles(client, 200, 'crash', 17);
    const segments = [
      { code: 'sample', limit: { kind: 'percent', value: 20, random: true } },
      { code: 'fr', filter: 'country = "FR"' },
      { code: 'de', filter: 'country = "DE"', limit: { kind: 'count', value: 15, random: true } },
      { code: 'few', limit: { kind: 'count', value: 10, random: true } },
    ];
    const activities = [
      A('start', 'start'),
      A('q', 'query', { resource: 'profile', expression: 'country in ("FR", "DE", "IT", "ES")' }),
      A('seg', 'segmentation', { segments, complement: { enabled: true, code: 'rest' } }),
    ];
    const transitions = [T('t_start', 'start', 'q'), T('t_q', 'q', 'seg')];
    for (const c of [...segments.map((s) => s.code), 'rest']) {
      activities.push(A(`end_${c}`, 'end'));
      transitions.push(T(`t_${c}`, 'seg', `end_${c}`, c));
    }
    const made = await client.post('/api/v1/workflows', { label: 'Crash', graph: { activities, transitions } });
    assert.equal(made.status, 201, made.text);
    assert.deepEqual(made.json.problems, []);
    const wf = made.json.id;
    const started = await client.post(`/api/v1/workflows/${wf}/start`);
    assert.equal(started.status, 201, started.text);
    const runId = started.json.id;
    await waitFor('the segmentation task running', async () => {
      const d = (await client.get(`/api/v1/workflows/${wf}/runs/${runId}`)).json;
      return d.activities.seg?.status === 'running';
    }, 60000, 50);
    first.proc.kill('SIGKILL');
    assert.equal((await first.exited).signal, 'SIGKILL');

    second = await startServer({ env, databaseUrl: first.dbUrl });
    const client2 = await adminClient(second);
    const resumed = await runUntilDone(client2, wf, runId, 120000);
    const seg = resumed.tasks.filter((t) => t.activity === 'seg');
    assert.equal(seg.length, 1);
    // Nothing of the interrupted attempt is left over: every working table of the run is gone.
    assert.equal(sqlCount(first.dbUrl, `SELECT count(*) FROM workflow_tables WHERE run_id = ${runId} AND dropped_at IS NULL`), 0);

    const again = await client2.post(`/api/v1/workflows/${wf}/start`);
    assert.equal(again.status, 201, again.text);
    const clean = await runUntilDone(client2, wf, again.json.id, 120000);
    assert.deepEqual(countsOf(resumed), countsOf(clean));
    const total = ['sample', 'fr', 'de', 'few', 'rest'].reduce((n, c) => n + countsOf(clean)[`t_${c}`], 0);
    assert.equal(total, countsOf(clean).t_q);
    assert.equal(countsOf(clean).t_q,
                 sqlCount(first.dbUrl, `SELECT count(*) FROM profiles WHERE country IN ('FR', 'DE', 'IT', 'ES')`));
    assert.equal(countsOf(clean).t_few, 10);
  } finally {
    if (process.env.OVERTURE_TEST_LOGS) console.log(first.logs(), second?.logs());
    await second?.stop();
    await first.stop();
  }
});
