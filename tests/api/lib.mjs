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
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as mailFs from 'node:fs';

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
const filesOf = new Map();  // database URL -> the folder of the server that created it

export async function startServer({ extraArgs = [], env = {}, databaseUrl } = {}) {
  const db = databaseUrl ? { url: databaseUrl, cleanup: () => undefined } : freshDatabaseUrl();
  // Files the server writes (the secret key, maildir routes) go to a folder of this server's,
  // never into the source tree.
  // A server on a database another server of this process created shares that server's folder:
  // the tracking keys in the database are sealed with its secret key.
  const reused = databaseUrl ? filesOf.get(databaseUrl) : undefined;
  const files = reused ?? mkdtempSync(path.join(tmpdir(), 'overture-files-'));
  if (!reused) filesOf.set(db.url, files);
  env = { OVERTURE_SECURITY_SECRET_KEY_FILE: path.join(files, 'secret.key'),
          OVERTURE_EMAIL_MAILDIR_ROOT: path.join(files, 'maildir'),
          OVERTURE_WORKFLOW_DIRECTORY: path.join(files, 'workflows'), ...env };
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
      if (!reused) rmSync(files, { recursive: true, force: true });
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


// Polls `fn` until it returns something truthy (returned), or throws after `timeoutMs`.
export async function waitFor(what, fn, timeoutMs = 60000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

// A received message split into its parts (src/channels/email/mime.cpp writes them): header
// fields (lower-case names, first occurrence, unfolded), and the decoded text and HTML parts
// (quoted-printable, base64 or 7bit; UTF-8). `raw` is the file as bytes in a latin1 string;
// line ends may be CRLF (SMTP) or LF (maildir files).
export function parseMime(raw) {
  const split = (entity) => {
    const end = entity.indexOf('\n\n');
    const head = (end < 0 ? entity : entity.slice(0, end)).replace(/\n[ \t]+/g, ' ');
    const headers = {};
    for (const line of head.split('\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).toLowerCase()] ??= line.slice(i + 1).trim();
    }
    return { headers, body: end < 0 ? '' : entity.slice(end + 2) };
  };
  const decode = (body, encoding) => {
    let bytes;
    switch ((encoding || '7bit').toLowerCase()) {
      case 'quoted-printable':
        bytes = Buffer.from(body.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g,
                                                                 (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
        break;
      case 'base64': bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64'); break;
      default: bytes = Buffer.from(body, 'latin1');
    }
    return bytes.toString('utf8');
  };
  const out = { headers: null, html: null, text: null, raw };
  const walk = (entity, top) => {
    const { headers, body } = split(entity);
    if (top) out.headers = headers;
    const type = headers['content-type'] || 'text/plain';
    const boundary = type.match(/boundary="?([^";]+)"?/i);
    if (/^multipart\//i.test(type) && boundary) {
      const delimiter = `--${boundary[1]}`;
      const pieces = body.split(new RegExp(`(?:^|\\n)${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*(?:\\n|$)`));
      for (const piece of pieces.slice(1, -1)) walk(piece, false);
      return;
    }
    const text = decode(body, headers['content-transfer-encoding']);
    if (/^text\/html/i.test(type)) out.html ??= text;
    else if (/^text\/plain/i.test(type)) out.text ??= text;
  };
  walk(raw.replace(/\r\n/g, '\n'), true);
  return out;
}

// The messages a maildir route of `server` wrote into `folder` (new/), parsed.
export function maildirMessages(server, folder) {
  const dir = path.join(server.files, 'maildir', folder, 'new');
  if (!mailFs.existsSync(dir)) return [];
  return mailFs.readdirSync(dir).sort().map((n) => parseMime(mailFs.readFileSync(path.join(dir, n), 'latin1')));
}

// The tracked URLs in a message's HTML (attribute values, entities decoded), moved from the
// default public URL (delivery.public_url, http://127.0.0.1:8080) onto `base`: { opens, clicks
// (in document order), unsubscribes, mirrors }.
export function trackedUrls(html, base, publicUrl = 'http://127.0.0.1:8080') {
  const out = { opens: [], clicks: [], unsubscribes: [], mirrors: [] };
  const unescape = (s) => s.replace(/&(amp|lt|gt|quot|#39|#x27|#34);/g, (_, e) =>
    ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", '#34': '"' })[e]);
  for (const m of html.matchAll(/\b(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)) {
    const value = unescape(m[1] ?? m[2]);
    if (!value.startsWith(`${publicUrl}/`)) continue;
    const rest = value.slice(publicUrl.length);
    const url = base + rest;
    if (rest.startsWith('/t/o/')) out.opens.push(url);
    else if (rest.startsWith('/t/c/')) out.clicks.push(url);
    else if (rest.startsWith('/t/u/')) out.unsubscribes.push(url);
    else if (rest.startsWith('/m/')) out.mirrors.push(url);
  }
  return out;
}

// A deterministic pseudo-random generator (mulberry32) for scripted tests.
export function seededRandom(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6D2B79F5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    shuffle(items) {
      const a2 = [...items];
      for (let i = a2.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [a2[i], a2[j]] = [a2[j], a2[i]];
      }
      return a2;
    },
  };
}

// Runs `fn` over `items` with at most `concurrency` at a time; results in input order.
export async function mapLimit(items, concurrency, fn) {
  const results = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

// Every profile matching the query-language `filter`, as objects (all pages).
export async function profilesWhere(client, filter) {
  const out = [];
  let cursor = '';
  for (;;) {
    const r = await client.get(`/api/v1/profiles?limit=500&filter=${encodeURIComponent(filter)}${cursor ? `&cursor=${cursor}` : ''}`);
    if (r.status !== 200) throw new Error(`GET /api/v1/profiles: ${r.status} ${r.text}`);
    out.push(...r.json.items);
    if (!r.json.next) return out;
    cursor = encodeURIComponent(r.json.next);
  }
}

// Runs `text` (one SQL statement) directly against the database of a server (`dbUrl`), with the
// sqlite3 command-line shell or psql, and returns the rows as arrays of strings (NULL as ''). For
// tests that check what the server computed against the same numbers computed in plain SQL.
export function sql(dbUrl, text) {
  let out;
  if (dbUrl.startsWith('sqlite:')) {
    out = execFileSync('sqlite3', ['-batch', '-noheader', '-separator', '\t', '-cmd', '.timeout 10000',
                                   dbUrl.slice('sqlite:'.length), text], { encoding: 'utf8' });
  } else {
    out = execFileSync('psql', [dbUrl, '-X', '-q', '-A', '-t', '-F', '\t', '-v', 'ON_ERROR_STOP=1', '-c', text],
                       { encoding: 'utf8' });
  }
  return out.split('\n').filter((line) => line !== '').map((line) => line.split('\t'));
}

// The single number a counting statement returns.
export function sqlCount(dbUrl, text) {
  const rows = sql(dbUrl, text);
  return Number(rows[0]?.[0] ?? 0);
}

// A free loopback port (closed again at once: a peer binds it next).
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

// A real SMTP peer (tests/peers/smtp_peer.py, aiosmtpd) writing each message it accepts to
// dir/NNNNNN.eml: { port, dir, files(), messages() (parsed with parseMime), stop() }. Stopped by
// PID.
export async function startSmtpSink(wantedPort) {
  const dir = mkdtempSync(path.join(tmpdir(), 'overture-sink-'));
  const port = wantedPort ?? await freePort();
  const proc = spawn('/usr/bin/python3', [path.join(root, 'tests/peers/smtp_peer.py'), '--port', String(port), '--out', dir],
                     { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('smtp peer did not start in 10 s')), 10000);
    proc.stdout.on('data', (c) => { if (String(c).includes('ready')) { clearTimeout(timer); resolve(); } });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`smtp peer exited ${code}`)); });
  });
  return {
    port, dir,
    files: () => mailFs.readdirSync(dir).filter((n) => n.endsWith('.eml')).sort(),
    messages() {
      return this.files().map((n) => parseMime(mailFs.readFileSync(path.join(dir, n), 'latin1')));
    },
    stop() { proc.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); },
  };
}
