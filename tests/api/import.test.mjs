// Importing CSV files from the command line: 10,000 rows with 37 bad ones, rejects with line
// numbers and reasons, and an idempotent re-import.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, startServer, adminClient, errorOf } from './lib.mjs';

let server, admin, dir;
before(async () => {
  server = await startServer();
  admin = await adminClient(server);
  dir = mkdtempSync(path.join(tmpdir(), 'overture-import-'));
});
after(async () => { await server.stop(); rmSync(dir, { recursive: true, force: true }); });

// Polls an import until it has finished (bounded: 10 s).
async function waitForImport(id) {
  let item;
  for (let i = 0; i < 100; i++) {
    item = (await admin.get(`/api/v1/imports/${id}`)).json;
    if (!['uploaded', 'queued', 'running'].includes(item.status)) return item;
    await new Promise((r) => setTimeout(r, 100));
  }
  return item;
}

function importFile(file, ...args) {
  const r = spawnSync(BIN, ['import', '--database', server.dbUrl, '--file', file, ...args],
                      { encoding: 'utf8', timeout: 120000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function parseCounts(out) {
  const m = out.match(/read (\d+), inserted (\d+), updated (\d+), unchanged (\d+), deleted (\d+), rejected (\d+)/);
  assert.ok(m, out);
  const [read, inserted, updated, unchanged, deleted, rejected] = m.slice(1).map(Number);
  return { read, inserted, updated, unchanged, deleted, rejected };
}

// 10,000 data lines; the bad ones are spread through the file and each is bad in one way.
function makeFile() {
  const lines = ['email;firstName;lastName;gender;birthDate;country;city'];
  const bad = new Map();  // file line number -> kind
  const kinds = ['email', 'date', 'columns', 'enum', 'duplicate'];
  const counts = { email: 8, date: 8, columns: 7, enum: 7, duplicate: 7 };
  const plan = [];
  for (const k of kinds) for (let i = 0; i < counts[k]; i++) plan.push(k);
  for (let i = 0; i < 10000; i++) {
    const line = i + 2;
    const badKind = i % 269 === 100 ? plan.shift() : undefined;
    let email = `person${i}@example.com`;
    let birth = `19${String(50 + (i % 50)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`;
    let gender = ['female', 'male', 'other', ''][i % 4];
    let row;
    switch (badKind) {
      case 'email': email = `person${i}.example.com`; break;
      case 'date': birth = '2001-02-29'; break;
      case 'enum': gender = 'robot'; break;
      case 'duplicate': email = `person${i - 1}@example.com`; break;
      default: break;
    }
    row = [email, `First${i}`, `Last${i}`, gender, birth, i % 3 ? 'FR' : 'de', `City ${i % 17}`];
    if (badKind === 'columns') row = row.slice(0, 5);
    if (badKind) bad.set(line, badKind);
    lines.push(row.join(';'));
  }
  assert.equal(plan.length, 0, 'all 37 bad lines placed');
  return { text: lines.join('\n') + '\n', bad };
}

test('10,000 rows with 37 bad ones: exactly the good rows land, 37 rejects with lines and reasons', async () => {
  const { text, bad } = makeFile();
  assert.equal(bad.size, 37);
  const file = path.join(dir, 'people.csv');
  writeFileSync(file, text);
  const first = importFile(file, '--key', 'email');
  assert.equal(first.code, 0, first.err);
  const c = parseCounts(first.out);
  assert.deepEqual(c, { read: 10000, inserted: 9963, updated: 0, unchanged: 0, deleted: 0, rejected: 37 });

  const rejects = readFileSync(`${file}.rejects.csv`, 'utf8').trim().split('\n');
  assert.equal(rejects[0], 'line,column,reason,email,firstName,lastName,gender,birthDate,country,city');
  assert.equal(rejects.length, 38);
  const reasons = { email: /has no '@'|e-mail/, date: /not a day of the calendar|date/, columns: /expected 7 columns, found 5/,
                    enum: /'robot' is not one of/, duplicate: /duplicate key in the file: same email as line \d+/ };
  for (const row of rejects.slice(1)) {
    const line = Number(row.split(',')[0]);
    assert.ok(bad.has(line), `line ${line} was rejected but is good: ${row}`);
    assert.match(row, reasons[bad.get(line)], row);
  }
  assert.equal((await admin.get('/api/v1/profiles/_count')).json.count, 9963);
  const p = await admin.get('/api/v1/profiles?email=person42@example.com');
  assert.equal(p.json.items[0].lastName, 'Last42');
  assert.equal(p.json.items[0].emailDomain, 'example.com');
  assert.equal(p.json.items[0].country, 'DE');

  // The same file again in upsert mode: nothing changes, and the command says so.
  const again = importFile(file, '--key', 'email', '--mode', 'upsert');
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(parseCounts(again.out), { read: 10000, inserted: 0, updated: 0, unchanged: 9963, deleted: 0, rejected: 37 });
  assert.match(again.out, /No record changed/);
  assert.equal((await admin.get('/api/v1/profiles/_count')).json.count, 9963);
});

test('update, insert and delete modes; gzip and Latin-1 input', async () => {
  const file = path.join(dir, 'changes.csv.gz');
  // Latin-1: "Zoë" as 0xEB. Tab-separated.
  const body = Buffer.concat([Buffer.from('email\tfirstName\n'),
    Buffer.from('person1@example.com\tZo'), Buffer.from([0xeb]), Buffer.from('\nnobody@example.com\tNo\n')]);
  writeFileSync(file, gzipSync(body));
  const upd = importFile(file, '--key', 'email', '--mode', 'update');
  assert.equal(upd.code, 0, upd.err);
  assert.deepEqual(parseCounts(upd.out), { read: 2, inserted: 0, updated: 1, unchanged: 0, deleted: 0, rejected: 1 });
  const p = await admin.get('/api/v1/profiles?email=person1@example.com');
  assert.equal(p.json.items[0].firstName, 'Zoë');
  assert.equal(p.json.items[0].lastName, 'Last1', 'columns not in the file keep their values');

  const ins = importFile(file, '--key', 'email', '--mode', 'insert');
  assert.deepEqual(parseCounts(ins.out), { read: 2, inserted: 1, updated: 0, unchanged: 0, deleted: 0, rejected: 1 });
  const rejects = readFileSync(`${file}.rejects.csv`, 'utf8');
  assert.match(rejects, /already exists/);

  const del = importFile(file, '--key', 'email', '--mode', 'delete');
  assert.deepEqual(parseCounts(del.out), { read: 2, inserted: 0, updated: 0, unchanged: 0, deleted: 2, rejected: 0 });
  assert.equal((await admin.get('/api/v1/profiles?email=nobody@example.com')).json.items.length, 0);
});

test('a bad mapping or mode is refused before anything is read', () => {
  const file = path.join(dir, 'small.csv');
  writeFileSync(file, 'email,shoeSize\na@example.com,42\n');
  const unknown = importFile(file, '--map', 'shoeSize=shoeSize');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /shoeSize/);
  const mode = importFile(file, '--mode', 'merge');
  assert.equal(mode.code, 2);
  const keyless = importFile(file, '--mode', 'update');
  assert.equal(keyless.code, 2);
  assert.match(keyless.err, /key/);
  const missing = importFile(path.join(dir, 'nope.csv'));
  assert.notEqual(missing.code, 0);
});

test('the import API: upload, preview, start, progress to 100%, counters, rejects download', async () => {
  const csv = 'E-mail,First Name,Last Name,Birth date\nua@example.com,Uma,A,01/02/1990\nub@example.com,Ubo,B,31/12/1985\n' +
              'bad@,Ugo,C,01/01/1990\nuc@example.com,Ula,D,45/01/1990\n';
  const up = await admin.request('POST', '/api/v1/imports/uploads?filename=people.csv',
                                 { raw: csv, headers: { 'content-type': 'text/csv' } });
  assert.equal(up.status, 201, up.text);
  assert.equal(up.json.status, 'uploaded');
  assert.equal(up.json.fileName, 'people.csv');
  assert.equal(up.json.filePath, undefined, 'server paths are not shown');
  assert.equal(up.json.sniff.delimiter, ',');
  assert.equal(up.json.sniff.hasHeader, true);
  assert.equal(up.json.sniff.columnCount, 4);
  assert.deepEqual(up.json.sniff.preview[1], ['ua@example.com', 'Uma', 'A', '01/02/1990']);
  assert.deepEqual(up.json.suggestedColumns.map((c) => [c.column, c.target]),
    [['E-mail', 'email'], ['First Name', 'firstName'], ['Last Name', 'lastName'], ['Birth date', 'birthDate']]);

  const columns = up.json.suggestedColumns.map(({ source, target }) =>
    (target === 'birthDate' ? { source, target, format: '%d/%m/%Y' } : { source, target }));
  const started = await admin.post(`/api/v1/imports/${up.json.id}/start`, { mode: 'upsert', keys: ['email'], columns });
  assert.equal(started.status, 202, started.text);
  const item = await waitForImport(up.json.id);
  assert.equal(item.status, 'succeeded', JSON.stringify(item));
  assert.equal(item.progress.percent, 100);
  assert.deepEqual(item.counters, { read: 4, inserted: 2, updated: 0, unchanged: 0, deleted: 0, rejected: 2 });
  const p = await admin.get('/api/v1/profiles?email=ub@example.com');
  assert.equal(p.json.items[0].birthDate, '1985-12-31');

  const rejects = await admin.get(`/api/v1/imports/${up.json.id}/rejects`);
  assert.equal(rejects.status, 200);
  assert.match(rejects.headers.get('content-type'), /text\/csv/);
  const lines = rejects.text.trim().split('\n');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^4,E-mail,/);
  assert.match(lines[2], /^5,Birth date,/);

  const again = await admin.post(`/api/v1/imports/${up.json.id}/start`, { mode: 'upsert', keys: ['email'], columns });
  errorOf(assert, again, 409, 'failed_precondition');
  const history = await admin.get('/api/v1/imports');
  assert.ok(history.json.items.some((x) => x.id === up.json.id && x.status === 'succeeded'));

  const badStart = await admin.request('POST', '/api/v1/imports/uploads', { raw: csv });
  const e = errorOf(assert, await admin.post(`/api/v1/imports/${badStart.json.id}/start`,
    { keys: ['email'], columns: [{ source: 9, target: 'email' }] }), 400);
  assert.match(e.message, /not in the file/);
  errorOf(assert, await admin.request('POST', '/api/v1/imports/uploads', { raw: '' }), 400);
  errorOf(assert, await admin.get('/api/v1/imports/987654'), 404);
});

test('export: chosen columns, filters, CSV that imports back', async () => {
  const r = await admin.get('/api/v1/exports/profile?columns=email,firstName,birthDate&country=DE&q=person2');
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /text\/csv/);
  const lines = r.text.trim().split('\n');
  assert.equal(lines[0], 'email,firstName,birthDate');
  const count = Number(r.headers.get('x-record-count'));
  assert.equal(lines.length, count + 1);
  assert.ok(count > 0);
  assert.ok(lines.slice(1).every((l) => /^person2\d*@example\.com,First2\d*,\d{4}-\d\d-\d\d$/.test(l)), lines.slice(1, 4).join('\n'));
  errorOf(assert, await admin.get('/api/v1/exports/profile?columns=nope'), 400);
  errorOf(assert, await admin.get('/api/v1/exports/nothing'), 404);

  // The CLI streams to a file; re-importing the export changes nothing.
  const file = path.join(dir, 'export.csv');
  const out = spawnSync(BIN, ['export', '--database', server.dbUrl, '--resource', 'profile',
                              '--columns', 'email,firstName,lastName,country', '--file', file], { encoding: 'utf8' });
  assert.equal(out.status, 0, out.stderr);
  const back = importFile(file, '--key', 'email');
  const c = parseCounts(back.out);
  assert.equal(c.rejected, 0);
  assert.equal(c.inserted + c.updated, 0);
  assert.equal(c.unchanged, c.read);
});

test('number formats: decimal comma and decimal point with grouping', async () => {
  const pub = await admin.post('/api/v1/schema/publish',
    { resources: [{ name: 'profile', fields: [{ name: 'score', type: 'float' }, { name: 'visits', type: 'integer' }] }] });
  assert.equal(pub.status, 200, pub.text);
  const csv = 'email;score;visits\nnum1@example.com;1.234,5;1.000\nnum2@example.com;7,25;12\nnum3@example.com;abc;1\n';
  const up = await admin.request('POST', '/api/v1/imports/uploads?filename=n.csv', { raw: csv });
  assert.equal(up.status, 201, up.text);
  errorOf(assert, await admin.post(`/api/v1/imports/${up.json.id}/start`, { mode: 'upsert', keys: ['email'],
    columns: [{ source: 0, target: 'email' }, { source: 1, target: 'score', format: '%d' }] }), 400);
  const started = await admin.post(`/api/v1/imports/${up.json.id}/start`, { mode: 'upsert', keys: ['email'],
    columns: [{ source: 0, target: 'email' }, { source: 1, target: 'score', format: ',' },
              { source: 2, target: 'visits', format: ',' }] });
  assert.equal(started.status, 202, started.text);
  const item = await waitForImport(up.json.id);
  assert.equal(item.status, 'succeeded', JSON.stringify(item));
  assert.deepEqual([item.counters.inserted, item.counters.rejected], [2, 1]);
  const n1 = (await admin.get('/api/v1/profiles?email=num1@example.com')).json.items[0];
  assert.equal(n1.score, 1234.5);
  assert.equal(n1.visits, 1000);
  assert.equal((await admin.get('/api/v1/profiles?email=num2@example.com')).json.items[0].score, 7.25);
});

test('an update may not empty a required field', async () => {
  // Last in this file: a required field on profile changes what later profile inserts need.
  const pub = await admin.post('/api/v1/schema/publish',
    { resources: [{ name: 'profile', fields: [{ name: 'score', type: 'float' }, { name: 'visits', type: 'integer' },
                                              { name: 'segment', type: 'string', length: 20, required: true }] }] });
  assert.equal(pub.status, 200, pub.text);
  const made = await admin.post('/api/v1/profiles', { email: 'req@example.com', segment: 'vip' });
  assert.equal(made.status, 201, made.text);
  const csv = 'email,segment\nreq@example.com,\n';
  const up = await admin.request('POST', '/api/v1/imports/uploads?filename=r.csv', { raw: csv });
  const started = await admin.post(`/api/v1/imports/${up.json.id}/start`, { mode: 'update', keys: ['email'],
    columns: [{ source: 0, target: 'email' }, { source: 1, target: 'segment', keepWhenEmpty: false }] });
  assert.equal(started.status, 202, started.text);
  const item = await waitForImport(up.json.id);
  assert.equal(item.status, 'succeeded', JSON.stringify(item));
  assert.deepEqual([item.counters.updated, item.counters.rejected], [0, 1]);
  const rejects = await admin.get(`/api/v1/imports/${up.json.id}/rejects`);
  assert.match(rejects.text, /segment is required and cannot be emptied/);
  assert.equal((await admin.get(`/api/v1/profiles/${made.json.id}`)).json.segment, 'vip');
});
