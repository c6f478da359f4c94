// Test support for the API suites: starts the real `overture` binary on a free loopback port
// against a fresh database (SQLite file, or a new PostgreSQL database on the harness's server),
// and speaks HTTP to it with a small cookie-aware client.
//
// Environment:
//   OVERTURE_BIN                  path to the binary (default build/test/overture)
//   OVERTURE_TEST_BACKEND         sqlite | postgres (default sqlite)
//   OVERTURE_TEST_POSTGRES_URL    admin URL of the throwaway server (scripts/with-postgres.sh)
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const BIN = process.env.OVERTURE_BIN || path.join(root, 'build/test/overture');
export const BACKEND = process.env.OVERTURE_TEST_BACKEND || 'sqlite';
export const ADMIN_PASSWORD = 'admin-password-for-tests';

function freshDatabaseUrl() {
  if (BACKEND === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'overture-api-'));
    return { url: `sqlite:${dir}/overture.db`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  }
  if (BACKEND !== 'postgres') throw new Error(`unknown OVERTURE_TEST_BACKEND ${BACKEND}`);
  const admin = process.env.OVERTURE_TEST_POSTGRES_URL;
  if (!admin) {
    throw new Error('OVERTURE_TEST_POSTGRES_URL is not set: run the API tests through `make test` ' +
                    '(scripts/with-postgres.sh starts a throwaway PostgreSQL)');
  }
  const name = `api_${randomBytes(6).toString('hex')}`;
  execFileSync('psql', [admin, '-q', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  return {
    url,
    cleanup: () => {
      try {
        execFileSync('psql', [admin, '-q', '-c', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
      } catch { /* the harness removes the whole server anyway */ }
    },
  };
}

// Starts a server with a fresh database and an admin user. Returns { url, dbUrl, proc, exited,
// logs, stop }. `extraArgs` go to `overture serve`; `env` is merged into its environment.
// With `databaseUrl`, serves that existing database instead (no init; stop() leaves it to whoever
// created it).
export async function startServer({ extraArgs = [], env = {}, databaseUrl } = {}) {
  const db = databaseUrl ? { url: databaseUrl, cleanup: () => undefined } : freshDatabaseUrl();
  // Files the server writes (the secret key, maildir routes) go to a folder of this server's,
  // never into the source tree.
  const files = mkdtempSync(path.join(tmpdir(), 'overture-files-'));
  env = { OVERTURE_SECURITY_SECRET_KEY_FILE: path.join(files, 'secret.key'),
          OVERTURE_EMAIL_MAILDIR_ROOT: path.join(files, 'maildir'), ...env };
  if (!databaseUrl) {
    execFileSync(BIN, ['init', '--database', db.url, '--admin-password', ADMIN_PASSWORD],
                 { stdio: 'pipe', env: { ...process.env, ...env } });
  }
  const proc = spawn(BIN, ['serve', '--database', db.url, '--listen', '127.0.0.1:0', ...extraArgs],
                     { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let logs = '';
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 20 s:\n${logs}`)), 20000);
    const onData = (chunk) => {
      logs += chunk;
      const m = logs.match(/serving (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server exited ${code}:\n${logs}`)); });
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    url,
    dbUrl: db.url,
    files,
    proc,
    exited,
    logs: () => logs,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const r = await exited;
      db.cleanup();
      rmSync(files, { recursive: true, force: true });
      return r;
    },
  };
}

// A client with its own cookie jar and CSRF token, like one browser tab.
export class Client {
  constructor(base) {
    this.base = base;
    this.cookies = new Map();
    this.csrf = null;
    this.bearer = null;
  }

  async request(method, p, { body, raw, headers = {}, csrf = true } = {}) {
    const h = { ...headers };
    if (this.cookies.size) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.bearer) h.authorization = `Bearer ${this.bearer}`;
    if (csrf && this.csrf && !['GET', 'HEAD'].includes(method)) h['x-csrf-token'] = this.csrf;
    let payload;
    if (raw !== undefined) payload = raw;
    else if (body !== undefined) { payload = JSON.stringify(body); h['content-type'] = 'application/json'; }
    const res = await fetch(this.base + p, { method, headers: h, body: payload, redirect: 'manual' });
    const setCookie = res.headers.getSetCookie();
    for (const c of setCookie) {
      const [pair] = c.split(';');
      const eq = pair.indexOf('=');
      const k = pair.slice(0, eq), v = pair.slice(eq + 1);
      if (v === '' || /Max-Age=0/i.test(c)) this.cookies.delete(k); else this.cookies.set(k, v);
    }
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status, headers: res.headers, setCookie, text, json };
  }

  get(p, o) { return this.request('GET', p, o); }
  post(p, body, o = {}) { return this.request('POST', p, { ...o, body }); }
  patch(p, body, o = {}) { return this.request('PATCH', p, { ...o, body }); }
  del(p, o) { return this.request('DELETE', p, o); }

  async login(username, password) {
    const r = await this.post('/api/v1/auth/login', { username, password });
    if (r.status === 200) this.csrf = r.json.csrfToken;
    return r;
  }
}

export async function adminClient(server) {
  const c = new Client(server.url);
  const r = await c.login('admin', ADMIN_PASSWORD);
  if (r.status !== 200) throw new Error(`admin login failed: ${r.status} ${r.text}`);
  return c;
}

// A user with `role` made by the administrator's client, logged in with a client of its own.
export async function userClient(server, admin, username, role) {
  const made = await admin.post('/api/v1/users', { username, password: 'long-enough-password', role });
  if (made.status !== 201) throw new Error(`creating ${username} failed: ${made.status} ${made.text}`);
  const c = new Client(server.url);
  const r = await c.login(username, 'long-enough-password');
  if (r.status !== 200) throw new Error(`${username} login failed: ${r.status} ${r.text}`);
  return c;
}

// Asserts the JSON error shape of DESIGN.md section 8 and returns the error object.
export function errorOf(assert, r, status, code) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /application\/json/);
  assert.ok(r.json && r.json.error, `no error object in ${r.text}`);
  assert.equal(typeof r.json.error.message, 'string');
  if (code) assert.equal(r.json.error.code, code);
  return r.json.error;
}
