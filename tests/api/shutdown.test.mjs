// SIGTERM during a burst: every request the server accepted is answered before it exits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from './lib.mjs';

// Sends one complete request on its own connection and resolves with the raw reply.
function rawRequest(port, body) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    let data = '';
    let sent = false;
    s.on('connect', () => {
      s.write(`POST /api/v1/auth/login HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n` +
              `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`, () => { sent = true; s.emit('sent'); });
    });
    s.on('data', (d) => { data += d; });
    s.on('close', () => resolve({ sent, data }));
    s.on('error', () => {});
    s.setTimeout(30000, () => s.destroy());
  });
}

test('SIGTERM during a burst of requests answers every accepted request', async () => {
  const server = await startServer({ extraArgs: [], env: { OVERTURE_HTTP_WORKER_THREADS: '4' } });
  const port = Number(new URL(server.url).port);
  const n = 60;
  // Logins are slow on purpose (Argon2id), so many are in flight or queued when the signal lands.
  const body = JSON.stringify({ username: 'admin', password: 'wrong-password-for-burst' });
  const replies = [];
  let sentCount = 0;
  const allSent = new Promise((resolve) => {
    for (let i = 0; i < n; i++) {
      const p = rawRequest(port, body);
      replies.push(p);
    }
    const timer = setInterval(() => {
      // wait until every request has been handed to the kernel
      if (sentCount >= n) { clearInterval(timer); resolve(); }
    }, 5);
    setTimeout(() => { clearInterval(timer); resolve(); }, 5000);
  });
  // Count sends through the socket callbacks.
  const origWrite = net.Socket.prototype.write;
  net.Socket.prototype.write = function (...args) {
    const cb = args.find((a) => typeof a === 'function');
    const wrapped = args.map((a) => (a === cb ? (...x) => { sentCount++; cb(...x); } : a));
    return origWrite.apply(this, wrapped);
  };
  await allSent;
  net.Socket.prototype.write = origWrite;
  await new Promise((r) => setTimeout(r, 30));
  server.proc.kill('SIGTERM');
  const results = await Promise.all(replies);
  const exit = await server.exited;
  await server.stop();
  const answered = results.filter((r) => /^HTTP\/1\.1 (401|429) /.test(r.data) && r.data.includes('"error"'));
  assert.equal(sentCount, n, 'all requests were sent before the signal');
  assert.equal(answered.length, n,
    `answered ${answered.length} of ${n}; unanswered: ${JSON.stringify(results.filter((r) => !/^HTTP/.test(r.data)).slice(0, 3))}`);
  assert.equal(exit.code, 0, `exit ${JSON.stringify(exit)}\n${server.logs().slice(-2000)}`);
  // After the stop, the port refuses new connections.
  const refused = await new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', () => resolve(true));
  });
  assert.ok(refused, 'the port is closed after shutdown');
});
