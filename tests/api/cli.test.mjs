// The command line that users' scripts rely on (DESIGN.md section 8): exact forms, exit codes.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, Client, startServer } from './lib.mjs';

// Commands that open the services create the installation's secret key file when it is
// missing: keep it out of the source tree.
const keyDir = mkdtempSync(path.join(tmpdir(), 'overture-cli-key-'));
after(() => rmSync(keyDir, { recursive: true, force: true }));

function run(args, env = {}) {
  const r = spawnSync(BIN, args, {
    encoding: 'utf8',
    env: { ...process.env, OVERTURE_SECURITY_SECRET_KEY_FILE: path.join(keyDir, 'secret.key'), ...env },
    timeout: 60000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function withDir(fn) {
  const dir = mkdtempSync(path.join(tmpdir(), 'overture-cli-'));
  try { return fn(dir); } finally { rmSync(dir, { recursive: true, force: true }); }
}

test('--help lists the commands and each command has its own help', () => {
  const top = run(['--help']);
  assert.equal(top.code, 0);
  for (const cmd of ['serve', 'init', 'migrate', 'user']) assert.match(top.out, new RegExp(`\\b${cmd}\\b`));
  const serve = run(['serve', '--help']);
  assert.equal(serve.code, 0);
  assert.match(serve.out, /--listen/);
  assert.match(serve.out, /--database/);
  const init = run(['init', '--help']);
  assert.match(init.out, /--admin-password/);
  assert.equal(run(['no-such-command']).code, 2);
});

test('init generates and prints the admin password once, then does nothing', () => withDir((dir) => {
  const url = `sqlite:${dir}/o.db`;
  const first = run(['init', '--database', url]);
  assert.equal(first.code, 0, first.err);
  const m = first.out.match(/password: (\S+)/);
  assert.ok(m, first.out);
  assert.ok(m[1].length >= 16);
  const again = run(['init', '--database', url]);
  assert.equal(again.code, 0);
  assert.match(again.out, /already initialised/);
  assert.doesNotMatch(again.out, /password/);
  const migrate = run(['migrate', '--database', url]);
  assert.equal(migrate.code, 0);
  assert.match(migrate.out, /up to date/);
}));

test('tracking rotate-key makes k2 then k3 the signing key', () => withDir((dir) => {
  const url = `sqlite:${dir}/o.db`;
  assert.equal(run(['init', '--database', url, '--admin-password', 'rotate-admin-password']).code, 0);
  const first = run(['tracking', 'rotate-key', '--database', url]);
  assert.equal(first.code, 0, first.err);
  assert.match(first.out, /Tracking key k2 signs new links/);
  const second = run(['tracking', 'rotate-key', '--database', url]);
  assert.equal(second.code, 0, second.err);
  assert.match(second.out, /Tracking key k3 /);
  const bare = run(['tracking']);
  assert.equal(bare.code, 2, 'a subcommand is required');
}));

test('OVERTURE_DATABASE works in place of --database', () => withDir((dir) => {
  const r = run(['init', '--admin-password', 'env-admin-password'], { OVERTURE_DATABASE: `sqlite:${dir}/env.db` });
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, new RegExp(`sqlite:${dir}/env.db`));
}));

test('user add creates a user who can log in; bad input exits 2', async () => {
  const server = await startServer();
  try {
    // Find the database URL the server uses from its own log, then add a user beside it.
    const dbUrl = server.dbUrl;
    const ok = run(['user', 'add', '--database', dbUrl, '--username', 'cli-user', '--role', 'supervisor',
                    '--password', 'cli-user-password']);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /Created user 'cli-user'.*role supervisor/);
    const c = new Client(server.url);
    const login = await c.login('cli-user', 'cli-user-password');
    assert.equal(login.status, 200);
    assert.equal(login.json.user.role, 'supervisor');
    assert.equal(run(['user', 'add', '--database', dbUrl, '--username', 'x', '--role', 'wizard']).code, 2);
    assert.equal(run(['user', 'add', '--database', dbUrl, '--username', 'cli-user', '--password', 'another-password']).code, 2);
    assert.equal(run(['user', 'add', '--database', dbUrl, '--username', 'y', '--password', 'short']).code, 2);
  } finally {
    await server.stop();
  }
});

test('configuration mistakes exit 2 with a message naming the culprit', () => withDir((dir) => {
  const bad = run(['serve', '--database', `sqlite:${dir}/x.db`, '--listen', 'nonsense']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /nonsense/);
  const scheme = run(['migrate', '--database', 'mysql://x']);
  assert.equal(scheme.code, 2);
  assert.match(scheme.err, /sqlite:|postgresql:/);
  const env = run(['migrate', '--database', `sqlite:${dir}/x.db`], { OVERTURE_HTTP_IO_THREADS: 'lots' });
  assert.equal(env.code, 2);
  assert.match(env.err, /OVERTURE_HTTP_IO_THREADS/);
  const unreachable = run(['migrate', '--database', 'postgresql://nobody@127.0.0.1:1/none']);
  assert.equal(unreachable.code, 1);
}));

test('a taken port fails serve with exit 1 and says so', async () => {
  const server = await startServer();
  try {
    const port = new URL(server.url).port;
    // The same installation key as the running server: serve opens the tracking keys first.
    const r = run(['serve', '--database', server.dbUrl, '--listen', `127.0.0.1:${port}`],
                  { OVERTURE_SECURITY_SECRET_KEY_FILE: path.join(server.files, 'secret.key') });
    assert.equal(r.code, 1);
    assert.match(r.err, /in use/);
    // Another installation key cannot open the tracking keys: serve says which and what to do.
    const wrong = run(['serve', '--database', server.dbUrl, '--listen', '127.0.0.1:0']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.err, /tracking key k1 cannot be opened: .*secret_key_file/);
  } finally {
    await server.stop();
  }
});
