// The bounce mailbox of `overture serve` (bounces.imap_url): a real Dovecot on loopback
// (tests/peers/dovecot.sh) holds sample bounces and a complaint; the server polls it, stores the
// classified events (GET /api/v1/bounces), and empties the mailbox.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, adminClient } from './lib.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const samples = ['postfix_user_unknown.eml', 'gmail_over_quota.eml', 'arf_yahoo_abuse.eml', 'vacation_auto_reply.eml'];

let dir, dovecot, server, admin;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitFor(check, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const canConnect = (port) => new Promise((resolve) => {
  const c = net.connect(port, '127.0.0.1', () => { c.end(); resolve(true); });
  c.on('error', () => resolve(false));
});

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'overture-imap-'));
  chmodSync(dir, 0o755);  // Dovecot's auth process (another user under root) reads the passwd file
  const maildir = path.join(dir, 'mail', 'bob');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(maildir, sub), { recursive: true });
  samples.forEach((name, i) => copyFileSync(path.join(root, 'tests/bounces', name),
                                            path.join(maildir, 'new', `${i + 1}.M1P1.${name}.test`)));
  const port = await freePort();
  dovecot = spawn('/bin/sh', [path.join(root, 'tests/peers/dovecot.sh'), dir, String(port), 'bob', 'mailbox-pass'],
                  { stdio: 'ignore' });
  await waitFor(() => canConnect(port), 15000, 'dovecot to listen');
  server = await startServer({
    env: {
      OVERTURE_BOUNCES_IMAP_URL: `imap://127.0.0.1:${port}/INBOX`,
      OVERTURE_BOUNCES_IMAP_USERNAME: 'bob',
      OVERTURE_BOUNCES_IMAP_PASSWORD: 'mailbox-pass',
      OVERTURE_BOUNCES_IMAP_POLL_SECONDS: '5',
    },
  });
  admin = await adminClient(server);
});

after(async () => {
  if (server) await server.stop();
  if (dovecot) {
    dovecot.kill('SIGTERM');
    await new Promise((r) => (dovecot.exitCode !== null ? r() : dovecot.on('exit', r)));
  }
  rmSync(dir, { recursive: true, force: true });
});

test('the server polls the mailbox, stores classified events and empties it', async () => {
  const events = await waitFor(async () => {
    const r = await admin.get('/api/v1/bounces');
    assert.equal(r.status, 200, r.text);
    return r.json.items.length >= 3 ? r.json.items : null;
  }, 30000, 'three events from the mailbox').catch((e) => {
    let log = '';
    try { log = readFileSync(path.join(dir, 'dovecot.log'), 'utf8'); } catch { /* none */ }
    throw new Error(`${e.message}\nserver log:\n${server.logs()}\ndovecot log:\n${log}`);
  });
  assert.equal(events.length, 3, 'the vacation reply is not an event');
  assert.ok(events.every((e) => e.source === 'imap'));
  const hard = events.find((e) => e.reason === 'user_unknown');
  assert.ok(hard, JSON.stringify(events));
  assert.equal(hard.outcome, 'hard');
  assert.equal(hard.deliveryId, 101);
  assert.equal(hard.recipientId, 1001);
  assert.equal(hard.recipient, 'jane@example.net');
  const soft = events.find((e) => e.reason === 'mailbox_full');
  assert.equal(soft.outcome, 'soft');
  const complaint = events.find((e) => e.type === 'complaint');
  assert.equal(complaint.feedbackType, 'abuse');

  // Every message, the vacation reply included, has left the mailbox: nothing is read twice.
  const left = await waitFor(() => {
    const files = ['new', 'cur'].flatMap((sub) => readdirSync(path.join(dir, 'mail', 'bob', sub)));
    return files.length === 0 ? files : null;
  }, 10000, 'the mailbox to be empty');
  assert.deepEqual(left, []);
  await new Promise((r) => setTimeout(r, 6000));  // one more poll
  assert.equal((await admin.get('/api/v1/bounces/_count')).json.count, 3);
  assert.match(server.logs(), /bounces: 4 messages read, 3 events stored/);
});
