// Deliveries end to end over HTTP (issue 7's acceptance): a delivery to 5,000 demo profiles with
// every exclusion cause is prepared with exact counts, proofed, confirmed by a supervisor (not a
// marketer) and sent into a real SMTP peer (tests/peers/smtp_peer.py, aiosmtpd), which must
// receive exactly the expected, personalized messages. Then soft failures that retry, hard
// failures that quarantine, pause/resume/stop timing, and a kill -9 in the middle of a send.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  startServer, adminClient, errorOf, userClient, profilesWhere, startSmtpSink as startSink, freePort, BIN,
} from './lib.mjs';

const FAST = {
  OVERTURE_DELIVERY_TICK_MILLISECONDS: '50',
  OVERTURE_DELIVERY_LEASE_SECONDS: '3',
  OVERTURE_DELIVERY_BATCH_SIZE: '100',
};

async function waitFor(what, fn, timeoutMs = 60000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function cliEnv(server) {
  return { ...process.env, OVERTURE_SECURITY_SECRET_KEY_FILE: path.join(server.files, 'secret.key'),
           OVERTURE_EMAIL_MAILDIR_ROOT: path.join(server.files, 'maildir') };
}

async function smtpRoute(admin, sink, name, extra = {}) {
  const r = await admin.post('/api/v1/routes', {
    name, label: name, kind: 'smtp',
    smtp: { host: '127.0.0.1', port: sink.port, tls: 'none', poolSize: 4, ...extra },
  });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

const CONTENT = {
  from: { name: 'The Shop', address: 'news@shop.example' },
  subject: 'Offer {{ profile.id }} for you',
  html: '<p>Dear {{ profile.firstName }},</p><p>Our offer.</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
  text: 'Dear {{ profile.firstName }},\nOur offer.\nUnsubscribe: {{ unsubscribe_url }}\n',
};

async function createDelivery(client, fields) {
  const r = await client.post('/api/v1/deliveries', {
    label: 'Test delivery', content: CONTENT,
    settings: { schedule: { kind: 'now' }, validityHours: 24, retryDelaySeconds: 10 },
    ...fields,
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function prepared(client, id) {
  const p = await client.post(`/api/v1/deliveries/${id}/prepare`);
  assert.equal(p.status, 200, p.text);
  return waitFor(`delivery ${id} prepared`, async () => {
    const d = (await client.get(`/api/v1/deliveries/${id}`)).json;
    if (d.state === 'ready') return d;
    if (d.state === 'draft' && d.preparation) throw new Error(`preparation failed: ${JSON.stringify(d.preparation)}`);
    return null;
  }, 120000);
}

async function finished(client, id, timeoutMs = 180000) {
  return waitFor(`delivery ${id} finished`, async () => {
    const d = (await client.get(`/api/v1/deliveries/${id}`)).json;
    if (d.state === 'failed') throw new Error(`delivery failed: ${d.failure ?? ''} ${JSON.stringify(d)}`);
    return d.state === 'finished' ? d : null;
  }, timeoutMs, 200);
}


let server, admin, marketer, supervisor, sink;

before(async () => {
  server = await startServer({ env: FAST });
  admin = await adminClient(server);
  marketer = await userClient(server, admin, 'mia', 'marketer');
  supervisor = await userClient(server, admin, 'sam', 'supervisor');
  sink = await startSink();
});
after(async () => {
  if (process.env.OVERTURE_TEST_LOGS) console.log(server?.logs());
  sink?.stop();
  await server?.stop();
});

test('5,000 demo profiles: exact exclusions, proof, confirm by a supervisor, every message received', async () => {
  execFileSync(BIN, ['demo', '--database', server.dbUrl, '--profiles', '5000'], { stdio: 'pipe', env: cliEnv(server) });
  const route = await smtpRoute(admin, sink, 'sink');

  const all = await profilesWhere(admin, 'id > 0');
  assert.equal(all.length, 5000);
  const eligible = all.filter((p) => p.email && !p.blockAll && !p.blockEmail);
  // Disjoint groups among eligible profiles.
  const denylisted = eligible.slice(0, 2);
  const quarantined = eligible.slice(2, 7);
  const tired = eligible.slice(7, 22);
  const [keeper, twin] = eligible.slice(22, 24);
  const vips = eligible.slice(24, 27);  // excluded by the typology's filter rule
  for (const p of denylisted) {
    const r = await admin.post('/api/v1/quarantine', { address: p.email, channel: 'email', status: 'denylisted', reason: 'test' });
    assert.equal(r.status, 201, r.text);
  }
  for (const p of quarantined) {
    const r = await admin.post('/api/v1/quarantine', { address: p.email, channel: 'email', status: 'quarantined', reason: 'test' });
    assert.equal(r.status, 201, r.text);
  }
  assert.equal((await admin.patch(`/api/v1/profiles/${twin.id}`, { email: keeper.email })).status, 200);

  // Fatigue: the 15 "tired" profiles got a message today already.
  const earlier = await createDelivery(marketer, { label: 'Earlier today', routeId: route, audience: { kind: 'list', profileIds: tired.map((p) => p.id) } });
  const earlierReady = await prepared(marketer, earlier.id);
  assert.equal(earlierReady.preparation.toSend, 15, JSON.stringify(earlierReady.preparation));
  assert.equal((await supervisor.post(`/api/v1/deliveries/${earlier.id}/confirm`)).status, 200);
  await finished(marketer, earlier.id);
  await waitFor('15 messages', () => sink.files().length === 15);

  const typology = await admin.post('/api/v1/typologies', {
    name: 'one-a-day', label: 'One a day',
    rules: { filters: [{ name: 'no-vip', label: 'Not the VIPs', expression: `id in (${vips.map((p) => p.id).join(', ')})` }],
             fatigue: [{ name: 'daily', label: 'One a day', max: 1, windowHours: 24, channel: 'email' }], requireProof: true, requireDkim: false },
  });
  assert.equal(typology.status, 201, typology.text);

  const d = await createDelivery(marketer, { label: 'Big offer', routeId: route, typologyId: typology.json.id, audience: { kind: 'query', expression: 'id > 0' } });
  const ready = await prepared(marketer, d.id);
  const excluded = Object.fromEntries(ready.preparation.excluded.map((e) => [e.cause, e.count]));
  const expected = {
    address_missing: all.filter((p) => !p.email).length,
    address_invalid: 0,
    blocked: all.filter((p) => p.email && p.blockAll).length,
    opted_out: all.filter((p) => p.email && !p.blockAll && p.blockEmail).length,
    denylisted: 2,
    quarantined: 5,
    'filter:no-vip': 3,
    'fatigue:daily': 15,
    duplicate_address: 1,
  };
  assert.deepEqual(excluded, expected);
  const toSend = 5000 - Object.values(expected).reduce((a, b) => a + b, 0);
  assert.equal(ready.preparation.total, 5000);
  assert.equal(ready.preparation.toSend, toSend);
  assert.deepEqual(ready.preparation.errors, []);

  // The typology requires a proof; a marketer cannot confirm anyway.
  errorOf(assert, await supervisor.post(`/api/v1/deliveries/${d.id}/confirm`), 409, 'failed_precondition');
  const tps = (await admin.get('/api/v1/test-profiles?limit=50')).json.items.filter((t) => t.email);
  assert.ok(tps.length >= 1, 'the demo has test profiles');
  const proof = await marketer.post(`/api/v1/deliveries/${d.id}/proof`, { testProfileIds: tps.map((t) => t.id) });
  assert.equal(proof.status, 200, proof.text);
  assert.equal(proof.json.number, 1);
  assert.ok(proof.json.recipients.every((r) => r.status === 'sent'), proof.text);
  await waitFor('the proofs', () => sink.messages().filter((m) => m.headers.subject.startsWith('[Proof 1] ')).length === tps.length);
  const proofs = await marketer.get(`/api/v1/deliveries/${d.id}/proofs`);
  assert.equal(proofs.json.items.length, tps.length);

  errorOf(assert, await marketer.post(`/api/v1/deliveries/${d.id}/confirm`), 403, 'permission_denied');
  const confirmed = await supervisor.post(`/api/v1/deliveries/${d.id}/confirm`);
  assert.equal(confirmed.status, 200, confirmed.text);
  const done = await finished(marketer, d.id);
  assert.equal(done.counters.sent, toSend);
  assert.equal(done.counters.failed, 0);
  assert.equal(done.counters.pending, 0);
  assert.equal(done.counters.ignored, 5000 - toSend);

  // Exactly one message per recipient left, personalized for that profile.
  const byId = new Map(all.map((p) => [p.id, p]));
  const got = sink.messages().filter((m) => (m.headers['message-id'] ?? '').startsWith(`<ov.${d.id}.`) &&
                                            m.headers.subject.startsWith('Offer '));
  assert.equal(got.length, toSend);
  const excludedIds = new Set([...denylisted, ...quarantined, ...vips, ...tired, twin].map((p) => p.id));
  const seen = new Set();
  for (const m of got) {
    const id = Number(m.headers.subject.match(/^Offer (\d+) for you$/)[1]);
    assert.ok(!seen.has(id), `profile ${id} received two messages`);
    seen.add(id);
    const p = byId.get(id);
    assert.ok(p && p.email && !p.blockAll && !p.blockEmail && !excludedIds.has(id), `profile ${id} should not receive`);
    assert.equal(m.headers.to.replace(/[<>]/g, ''), p.email);
    assert.match(m.headers['message-id'], new RegExp(`^<ov\\.${d.id}\\.${id}\\.[0-9a-f]{8}@shop\\.example>$`));
    assert.match(m.headers['list-unsubscribe'] ?? '', /\/t\/u\//);
    if (/^[A-Za-z' -]+$/.test(p.firstName ?? '')) assert.ok(m.raw.includes(`Dear ${p.firstName},`), `text for ${id}`);
  }

  // The sending log and the profile's history say the same.
  const logs = await marketer.get(`/api/v1/deliveries/${d.id}/logs?status=ignored&reason=duplicate_address`);
  assert.equal(logs.json.items.length, 1);
  assert.equal(logs.json.items[0].profileId, twin.id);
  const history = await marketer.get(`/api/v1/profiles/${tired[0].id}/deliveries`);
  assert.deepEqual(history.json.items.map((h) => [h.deliveryId, h.status]).sort(),
                   [[earlier.id, 'sent'], [d.id, 'ignored']].sort());
});

test('soft failures retry until sent; hard failures quarantine and are excluded next time', async () => {
  const route = await smtpRoute(admin, sink, 'sink-faults');
  const ids = [];
  const make = async (email, firstName) => {
    const r = await admin.post('/api/v1/profiles', { email, firstName });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
    return r.json.id;
  };
  for (let i = 0; i < 3; i++) await make(`4xx-once-${i}@faults.test`, `Soft${i}`);
  for (let i = 0; i < 2; i++) await make(`5xx-${i}@faults.test`, `Hard${i}`);
  for (let i = 0; i < 4; i++) await make(`ok-${i}@faults.test`, `Fine${i}`);
  const before = sink.files().length;

  const d = await createDelivery(marketer, { label: 'Faults', routeId: route, audience: { kind: 'list', profileIds: ids } });
  await prepared(marketer, d.id);
  assert.equal((await supervisor.post(`/api/v1/deliveries/${d.id}/confirm`)).status, 200);
  const done = await finished(marketer, d.id, 60000);
  assert.equal(done.counters.sent, 7);
  assert.equal(done.counters.failed, 2);
  assert.equal(sink.files().length - before, 7);

  const logs = (await marketer.get(`/api/v1/deliveries/${d.id}/logs`)).json.items;
  for (const l of logs) {
    if (l.address.startsWith('4xx-once')) {
      assert.equal(l.status, 'sent');
      assert.equal(l.attempts, 2, JSON.stringify(l));
    } else if (l.address.startsWith('5xx')) {
      assert.equal(l.status, 'failed');
      assert.equal(l.failureType, 'hard');
      assert.match(l.detail, /550/);
    }
  }
  const q = await admin.get(`/api/v1/quarantine?filter=${encodeURIComponent('address like "5xx-%"')}`);
  assert.deepEqual(q.json.items.map((e) => [e.address, e.status]).sort(),
                   [['5xx-0@faults.test', 'quarantined'], ['5xx-1@faults.test', 'quarantined']]);
  const soft = await admin.get(`/api/v1/quarantine?filter=${encodeURIComponent('address like "4xx-once%"')}`);
  assert.ok(soft.json.items.every((e) => e.status === 'erroneous' && e.errorCount === 1), soft.text);

  // Asynchronous reports after the send: a bounce (by its Message-ID) fails a sent row and
  // quarantines the address; a complaint puts the address on the denylist.
  const idOf = (address) => sink.messages().find((m) => m.headers.to.replace(/[<>]/g, '') === address
                                                   && m.headers['message-id'].startsWith(`<ov.${d.id}.`)).headers['message-id'];
  const reported = await admin.post('/api/v1/bounces', {
    events: [
      { type: 'bounce', messageId: idOf('ok-0@faults.test'), status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 user unknown' },
      { type: 'complaint', messageId: idOf('ok-1@faults.test'), feedbackType: 'abuse' },
    ],
  });
  assert.equal(reported.status, 201, reported.text);
  const after = await waitFor('the bounce applied', async () => {
    const x = (await marketer.get(`/api/v1/deliveries/${d.id}`)).json;
    return x.counters.failed === 3 ? x : null;
  }, 20000);
  assert.equal(after.counters.sent, 6);
  const bounced = (await marketer.get(`/api/v1/deliveries/${d.id}/logs?address=ok-0`)).json.items[0];
  assert.deepEqual([bounced.status, bounced.failureType], ['failed', 'hard']);
  const listed = await admin.get(`/api/v1/quarantine?filter=${encodeURIComponent('address like "ok-%"')}`);
  assert.deepEqual(listed.json.items.map((e) => [e.address, e.status]).sort(),
                   [['ok-0@faults.test', 'quarantined'], ['ok-1@faults.test', 'denylisted']]);

  const again = await createDelivery(marketer, { label: 'Faults again', routeId: route, audience: { kind: 'list', profileIds: ids } });
  const ready = await prepared(marketer, again.id);
  const excluded = Object.fromEntries(ready.preparation.excluded.map((e) => [e.cause, e.count]));
  assert.equal(excluded.quarantined, 3);
  assert.equal(excluded.denylisted, 1);
  assert.equal(ready.preparation.toSend, 5);
});

test('pause, resume and stop take effect within a second', async () => {
  // A route throttled to 200 messages/s keeps the send going for ten seconds.
  const route = await smtpRoute(admin, sink, 'sink-slow', { ratePerSecond: 200 });
  const ids = (await profilesWhere(admin, 'email is not empty and not blockAll and not blockEmail')).slice(0, 2000).map((p) => p.id);
  const d = await createDelivery(marketer, { label: 'Slow', routeId: route, audience: { kind: 'list', profileIds: ids } });
  await prepared(marketer, d.id);
  const base = sink.files().length;
  assert.equal((await supervisor.post(`/api/v1/deliveries/${d.id}/confirm`)).status, 200);
  await waitFor('sending to start', () => sink.files().length - base > 50);

  // Time from the answer to the last message the sink received.
  async function settle() {
    let last = sink.files().length;
    let lastChange = Date.now();
    const start = Date.now();
    while (Date.now() - lastChange < 1500 && Date.now() - start < 10000) {
      await new Promise((r) => setTimeout(r, 20));
      const n = sink.files().length;
      if (n !== last) { last = n; lastChange = Date.now(); }
    }
    return { count: last, after: lastChange - start };
  }
  const pause = await marketer.post(`/api/v1/deliveries/${d.id}/pause`);
  assert.equal(pause.status, 200, pause.text);
  const paused = await settle();
  console.log(`# pause: last message ${paused.after} ms after the answer`);
  assert.ok(paused.after < 1000, `messages kept arriving ${paused.after} ms after pausing`);
  assert.equal((await marketer.get(`/api/v1/deliveries/${d.id}`)).json.state, 'paused');

  errorOf(assert, await marketer.post(`/api/v1/deliveries/${d.id}/resume`), 403, 'permission_denied');
  const resumeAt = Date.now();
  assert.equal((await supervisor.post(`/api/v1/deliveries/${d.id}/resume`)).status, 200);
  await waitFor('sending to resume', () => sink.files().length > paused.count, 5000, 10);
  const resumedAfter = Date.now() - resumeAt;
  console.log(`# resume: first message ${resumedAfter} ms after the request`);
  assert.ok(resumedAfter < 1000, `sending resumed only after ${resumedAfter} ms`);

  const stop = await marketer.post(`/api/v1/deliveries/${d.id}/stop`);
  assert.equal(stop.status, 200, stop.text);
  const stopped = await settle();
  console.log(`# stop: last message ${stopped.after} ms after the answer`);
  assert.ok(stopped.after < 1000, `messages kept arriving ${stopped.after} ms after stopping`);
  const final = (await marketer.get(`/api/v1/deliveries/${d.id}`)).json;
  assert.equal(final.state, 'stopped');
  assert.ok(final.counters.sent < 2000 && final.counters.sent === stopped.count - base,
            `sent ${final.counters.sent}, sink ${stopped.count - base}`);
});

test('kill -9 while sending 20,000 messages: after a restart everyone is received, duplicates stay within the window', async () => {
  const crashSink = await startSink();
  const env = { ...FAST, OVERTURE_DELIVERY_SENDER_THREADS: '2', OVERTURE_DELIVERY_BATCH_SIZE: '200' };
  const window = 2 * 200;
  const first = await startServer({ env });
  const dbUrl = first.dbUrl;
  const files = first.files;
  let second;
  try {
    execFileSync(BIN, ['demo', '--database', dbUrl, '--profiles', '20000'], { stdio: 'pipe', env: cliEnv(first) });
    const a = await adminClient(first);
    const route = await smtpRoute(a, crashSink, 'crash-sink', { poolSize: 8 });
    const d = await createDelivery(a, { label: 'Crash', routeId: route, audience: { kind: 'query', expression: 'email is not empty and not blockAll and not blockEmail' } });
    const ready = await prepared(a, d.id);
    const toSend = ready.preparation.toSend;
    assert.ok(toSend > 18000, `${toSend} to send`);
    assert.equal((await a.post(`/api/v1/deliveries/${d.id}/confirm`)).status, 200);
    await waitFor('a third of the messages', () => crashSink.files().length > toSend / 3, 300000, 50);
    first.proc.kill('SIGKILL');
    await first.exited;
    const atKill = crashSink.files().length;

    second = await startServer({ env: { ...env, OVERTURE_SECURITY_SECRET_KEY_FILE: path.join(files, 'secret.key'),
                                        OVERTURE_EMAIL_MAILDIR_ROOT: path.join(files, 'maildir') }, databaseUrl: dbUrl });
    const b = await adminClient(second);
    const done = await finished(b, d.id, 600000);
    assert.equal(done.counters.sent, toSend);
    const ids = crashSink.messages().map((m) => m.headers['message-id']);
    const unique = new Set(ids);
    const duplicates = ids.length - unique.size;
    console.log(`# kill -9 after ${atKill} of ${toSend} messages: ${duplicates} duplicate Message-IDs (in-flight window ${window})`);
    assert.equal(unique.size, toSend);
    assert.ok(duplicates <= window, `${duplicates} duplicates > window ${window}`);
  } finally {
    crashSink.stop();
    await second?.stop();
    // The first server owns the database and the files: its stop() removes them.
    await first.stop();
  }
});

test('content fragments are included when sending, and an unsubscribe link in one counts', async () => {
  const footer = await admin.post('/api/v1/fragments', {
    name: 'legal-footer', label: 'Legal footer',
    source: '<p>The Shop SAS, 1 rue des Lilas, Paris</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a></p>',
  });
  assert.equal(footer.status, 201, footer.text);
  const route = await smtpRoute(admin, sink, 'sink-fragments');
  const ids = [];
  for (const name of ['Fran', 'Gus']) {
    const r = await admin.post('/api/v1/profiles', { email: `${name.toLowerCase()}@fragments.test`, firstName: name });
    assert.equal(r.status, 201, r.text);
    ids.push(r.json.id);
  }
  const d = await createDelivery(marketer, {
    label: 'With a footer', routeId: route, audience: { kind: 'list', profileIds: ids },
    content: { ...CONTENT, subject: 'Footer test {{ profile.id }}', html: '<p>Hi {{ profile.firstName }}</p>{% include "legal-footer" %}', text: 'Hi {{ profile.firstName }}' },
  });
  const ready = await prepared(marketer, d.id);
  assert.deepEqual(ready.preparation.errors, []);
  assert.equal((await supervisor.post(`/api/v1/deliveries/${d.id}/confirm`)).status, 200);
  await finished(marketer, d.id, 60000);
  const got = sink.messages().filter((m) => m.headers.subject.startsWith('Footer test '));
  assert.equal(got.length, 2);
  for (const m of got) {
    assert.ok(m.raw.includes('The Shop SAS, 1 rue des Lilas, Paris'), 'the fragment is in the message');
    assert.match(m.raw, /\/t\/u\/k\d+\.\d+\.\d+\.0\.[A-Za-z0-9_-]{22}\b/, 'the fragment\'s unsubscribe link is signed per recipient');
  }

  // A delivery including a fragment that does not exist does not pass preparation.
  const broken = await createDelivery(marketer, {
    label: 'Broken include', routeId: route, audience: { kind: 'list', profileIds: ids },
    content: { ...CONTENT, html: '<p>Hi</p>{% include "no-such-fragment" %}{{ unsubscribe_url }}' },
  });
  assert.equal((await marketer.post(`/api/v1/deliveries/${broken.id}/prepare`)).status, 200);
  const draft = await waitFor('the preparation to fail', async () => {
    const x = (await marketer.get(`/api/v1/deliveries/${broken.id}`)).json;
    return x.state === 'draft' && x.preparation ? x : null;
  });
  assert.ok(draft.preparation.errors.some((e) => e.includes('no-such-fragment')), JSON.stringify(draft.preparation.errors));
});

test('1-N links (profile.purchases) render in sent messages as in the preview', async () => {
  // The demo of the first test gave profiles purchases; take three with some and one without.
  const withPurchases = [];
  let without = null;
  // From the end of the list: the first test quarantined and denylisted some of the first ones.
  for (const p of (await profilesWhere(admin, 'email is not empty and not blockAll and not blockEmail')).reverse()) {
    const n = (await admin.get(`/api/v1/resources/purchase/_count?profile=${p.id}`)).json.count;
    if (n > 0 && withPurchases.length < 3) withPurchases.push(p);
    if (n === 0 && !without) without = p;
    if (withPurchases.length === 3 && without) break;
  }
  assert.equal(withPurchases.length, 3);
  assert.ok(without, 'a demo profile without purchases');
  const chosen = [...withPurchases, without];
  const route = await smtpRoute(admin, sink, 'sink-links');
  const text = 'Links {{ profile.id }}: {{ profile.purchases | size }} purchases, first {{ profile.purchases[0].sku | default: "none" }}, unsubscribe {{ unsubscribe_url }}';
  const d = await createDelivery(marketer, {
    label: 'Purchases', routeId: route, audience: { kind: 'list', profileIds: chosen.map((p) => p.id) },
    content: { ...CONTENT, subject: 'Links {{ profile.id }}', html: '', text },
  });
  await prepared(marketer, d.id);
  assert.equal((await supervisor.post(`/api/v1/deliveries/${d.id}/confirm`)).status, 200);
  await finished(marketer, d.id, 60000);
  for (const p of chosen) {
    const m = sink.messages().find((x) => x.headers.subject === `Links ${p.id}`);
    assert.ok(m, `message for ${p.id}`);
    const preview = await marketer.post(`/api/v1/deliveries/${d.id}/preview`, { profileId: p.id });
    assert.equal(preview.status, 200, preview.text);
    const expected = preview.json.text.replace(/, unsubscribe .*$/s, '');
    assert.ok(m.raw.includes(expected), `sent text for ${p.id} differs from the preview "${expected}"`);
  }
  const none = sink.messages().find((x) => x.headers.subject === `Links ${without.id}`);
  assert.ok(none.raw.includes(`Links ${without.id}: 0 purchases, first none`));
});

test('a dead route fails the delivery with the reason; resumed once the relay is back, it finishes', async () => {
  const port = await freePort();  // nobody listens there yet
  const r = await admin.post('/api/v1/routes', {
    name: 'dead-relay', label: 'Dead relay', kind: 'smtp',
    smtp: { host: '127.0.0.1', port, tls: 'none', poolSize: 2, connectTimeoutMs: 500, maxQueueWaitMs: 0 },
  });
  assert.equal(r.status, 201, r.text);
  const ids = (await profilesWhere(admin, 'email is not empty and not blockAll and not blockEmail')).slice(1000, 1300).map((p) => p.id);
  const quarantinedBefore = (await admin.get('/api/v1/quarantine/_count')).json.count;
  const d = await createDelivery(marketer, { label: 'Through a dead relay', routeId: r.json.id, audience: { kind: 'list', profileIds: ids } });
  await prepared(marketer, d.id);
  assert.equal((await supervisor.post(`/api/v1/deliveries/${d.id}/confirm`)).status, 200);
  const failed = await waitFor('the delivery to fail', async () => {
    const x = (await marketer.get(`/api/v1/deliveries/${d.id}`)).json;
    return x.state === 'failed' ? x : null;
  }, 60000, 200);
  assert.match(failed.failure, /route failed for 3 batches in a row \(connection/);
  assert.equal(failed.counters.sent, 0);
  assert.equal(failed.counters.failed, 0, 'route failures are retried, not failed');
  assert.equal((await admin.get('/api/v1/quarantine/_count')).json.count, quarantinedBefore,
               'a dead route quarantines nobody');

  const relay = await startSink(port);
  try {
    errorOf(assert, await marketer.post(`/api/v1/deliveries/${d.id}/resume`), 403, 'permission_denied');
    const resumed = await supervisor.post(`/api/v1/deliveries/${d.id}/resume`);
    assert.equal(resumed.status, 200, resumed.text);
    assert.equal(resumed.json.failure, null);
    const done = await finished(marketer, d.id, 120000);
    assert.equal(done.counters.sent, 300);
    assert.equal(new Set(relay.messages().map((m) => m.headers.to)).size, 300);
  } finally {
    relay.stop();
  }
});
