// Tracking over HTTP (issue 8's acceptance): a delivery to 1,000 profiles is sent into a maildir
// route; a seeded script follows the tracked links of the 1,000 received messages (opens, opens
// five times, clicks on several links, clicks without an open, machine opens, unsubscribes from
// the page and in one click, mirror views), and the delivery report must then say exactly what
// the script did: counts, unique counts, rates by the documented formulas, per link, per domain,
// per device, the CSV export, a profile's tracking history and the profiles' opt-outs. Then the
// machine-open timing rule, and leaving only some services from the unsubscribe page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  startServer, adminClient, errorOf, BIN, waitFor, maildirMessages, trackedUrls, seededRandom, mapLimit, profilesWhere,
} from './lib.mjs';

const FAST = {
  OVERTURE_DELIVERY_TICK_MILLISECONDS: '50',
  OVERTURE_DELIVERY_LEASE_SECONDS: '3',
  OVERTURE_DELIVERY_BATCH_SIZE: '250',
};
const PUBLIC_URL = 'http://127.0.0.1:8080';  // the default delivery.public_url
const UA = {
  thunderbird: 'Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Thunderbird/115.3.1',
  android: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36',
  firefox: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0',
  googleProxy: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
};
const LINKS = [
  { label: 'Spring sale', url: 'https://shop.example/spring?utm=mail&x=1' },
  { label: 'New arrivals', url: 'https://shop.example/new' },
  { label: 'Your page', url: null },  // personalized: https://shop.example/p?id=<profile id>
];
const HTML = `<!doctype html>
<html><body>
<p>Hello {{ profile.firstName }},</p>
<p><a href="https://shop.example/spring?utm=mail&amp;x=1" data-label="Spring sale">Our spring sale</a></p>
<p><a href="https://shop.example/new">New arrivals</a></p>
<p><a href="https://shop.example/p?id={{ profile.id }}">Your page</a></p>
<p><a href="{{ mirror_url }}">View in your browser</a> - <a href="{{ unsubscribe_url }}">Unsubscribe</a></p>
</body></html>
`;
const CONTENT = {
  from: { name: 'The Shop', address: 'news@shop.example' },
  subject: 'Offer for {{ profile.firstName }}',
  html: HTML,
  text: 'Hello {{ profile.firstName }},\nOur spring sale: https://shop.example/spring\nUnsubscribe: {{ unsubscribe_url }}\n',
};
const DOMAINS = ['alpha.example', 'alpha.example', 'beta.example', 'beta.example', 'gamma.example'];

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const rate = (n, d) => (d === 0 ? null : Math.round((n / d) * 10000) / 10000);

// One request to a public endpoint, as a mail client or browser makes it (no cookies).
async function hit(url, { method = 'GET', ua = UA.thunderbird, body, type } = {}) {
  const headers = { 'user-agent': ua };
  if (type) headers['content-type'] = type;
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  const buf = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body: buf, text: buf.toString('utf8') };
}

function importProfiles(server, rows) {
  const dir = mkdtempSync(path.join(tmpdir(), 'overture-tracking-'));
  try {
    const file = path.join(dir, 'profiles.csv');
    writeFileSync(file, ['email;firstName;lastName', ...rows.map((r) => `${r.email};${r.firstName};${r.lastName}`)].join('\n') + '\n');
    execFileSync(BIN, ['import', '--database', server.dbUrl, '--file', file, '--key', 'email'], { stdio: 'pipe' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}


async function maildirRoute(client, folder) {
  const r = await client.post('/api/v1/routes', { name: folder, label: folder, kind: 'maildir', maildir: { folder } });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}

// Creates, prepares, confirms and waits for the delivery to finish; returns it.
async function send(client, fields) {
  const made = await client.post('/api/v1/deliveries', {
    label: 'Tracked offer', content: CONTENT,
    settings: { schedule: { kind: 'now' }, validityHours: 24, retryDelaySeconds: 10 }, ...fields,
  });
  assert.equal(made.status, 201, made.text);
  const id = made.json.id;
  assert.equal((await client.post(`/api/v1/deliveries/${id}/prepare`)).status, 200);
  const ready = await waitFor(`delivery ${id} prepared`, async () => {
    const d = (await client.get(`/api/v1/deliveries/${id}`)).json;
    if (d.state === 'draft' && d.preparation) throw new Error(`preparation failed: ${JSON.stringify(d.preparation)}`);
    return d.state === 'ready' ? d : null;
  }, 60000);
  assert.deepEqual(ready.preparation.errors, []);
  const confirmed = await client.post(`/api/v1/deliveries/${id}/confirm`);
  assert.equal(confirmed.status, 200, confirmed.text);
  return waitFor(`delivery ${id} finished`, async () => {
    const d = (await client.get(`/api/v1/deliveries/${id}`)).json;
    if (d.state === 'failed') throw new Error(`delivery failed: ${d.failure}`);
    return d.state === 'finished' ? d : null;
  }, 120000, 200);
}

// The received messages of delivery `id` by profile id, with their tracked URLs on `base`.
function received(server, folder, id) {
  const out = new Map();
  for (const m of maildirMessages(server, folder)) {
    const mid = (m.headers['message-id'] ?? '').match(/^<ov\.(\d+)\.(\d+)\.[0-9a-f]+@/);
    if (!mid || Number(mid[1]) !== id) continue;
    assert.ok(m.html, `message ${m.headers['message-id']} has an HTML part`);
    out.set(Number(mid[2]), { message: m, urls: trackedUrls(m.html, server.url) });
  }
  return out;
}

// Polls the report until `counts` holds `expected` (a subset of its keys), at most `timeoutMs`.
async function reportWith(client, id, expected, timeoutMs = 6000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await client.get(`/api/v1/deliveries/${id}/report`);
    assert.equal(r.status, 200, r.text);
    const got = Object.fromEntries(Object.keys(expected).map((k) => [k, r.json.counts[k]]));
    if (Object.entries(expected).every(([k, v]) => got[k] === v)) return r.json;
    if (Date.now() > deadline) assert.deepEqual(got, expected, `the report's counts after ${timeoutMs} ms`);
    await sleep(100);
  }
}

// What a browser posts from the unsubscribe page: the form's hidden fields and `fields`.
function formBody(html, fields) {
  const form = html.match(/<form\b[\s\S]*?<\/form>/i)?.[0] ?? '';
  const hidden = [...form.matchAll(/<input\b[^>]*>/gi)].map((m) => m[0]).filter((tag) => /type=["']?hidden/i.test(tag))
    .map((tag) => [tag.match(/name=["']?([^"'\s>]+)/i)?.[1], tag.match(/value=["']([^"']*)["']/i)?.[1] ?? ''])
    .filter(([name]) => name && !/^(scope|service)$/.test(name));
  return [...hidden.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v.replace(/&amp;/g, '&'))}`), fields].join('&');
}

// Where the unsubscribe page's form posts: its action on this server, or the page itself.
function formAction(html, pageUrl) {
  const action = html.match(/<form\b[^>]*action=["']([^"']*)["']/i)?.[1]?.replace(/&amp;/g, '&');
  if (!action) return pageUrl;
  const u = new URL(action, pageUrl);
  const page = new URL(pageUrl);
  return `${page.origin}${u.pathname}${u.search}`;
}

function tokenOf(url) {
  return new URL(url).pathname.split('/').pop();
}

// A minimal RFC 4180 reader (quoted fields, doubled quotes).
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

let server, admin;

before(async () => {
  server = await startServer({ env: { ...FAST, OVERTURE_TRACKING_MACHINE_OPEN_SECONDS: '0' } });
  admin = await adminClient(server);
});
after(async () => {
  if (process.env.OVERTURE_TEST_LOGS) console.log(server?.logs());
  await server?.stop();
});

test('1,000 messages: the report counts exactly what a scripted reader did', async () => {
  const people = Array.from({ length: 1000 }, (_, i) => ({
    email: `reader${i}@${DOMAINS[i % DOMAINS.length]}`, firstName: `Reader${i}`, lastName: 'Tracked',
  }));
  importProfiles(server, people);
  const profiles = await profilesWhere(admin, 'lastName = "Tracked"');
  assert.equal(profiles.length, 1000);
  const byId = new Map(profiles.map((p) => [p.id, p]));

  const route = await maildirRoute(admin, 'tracking');
  const d = await send(admin, { routeId: route, audience: { kind: 'query', expression: 'lastName = "Tracked"' } });
  assert.equal(d.counters.sent, 1000);

  // Every message carries one open pixel before </body>, the three tracked links in order, the
  // signed unsubscribe and mirror URLs, and the unsubscribe URL in List-Unsubscribe.
  const mail = received(server, 'tracking', d.id);
  assert.equal(mail.size, 1000);
  const token = (kind, profile, extra) => new RegExp(`^${server.url}/${kind}/k1\\.${d.id}\\.${profile}\\.${extra}\\.[A-Za-z0-9_-]{22}`);
  for (const [id, { message, urls }] of mail) {
    assert.ok(byId.has(id), `message for unknown profile ${id}`);
    assert.equal(message.headers.to.replace(/.*</, '').replace(/>.*/, ''), byId.get(id).email);
    assert.equal(urls.opens.length, 1, `one open pixel for ${id}`);
    assert.match(urls.opens[0], token('t/o', id, '\\d+'));
    const pixelAt = message.html.indexOf('/t/o/');
    assert.ok(pixelAt > 0 && pixelAt < message.html.indexOf('</body>'), 'the pixel is inside the body');
    assert.match(message.html.slice(message.html.lastIndexOf('<img', pixelAt), pixelAt), /^<img\b/, 'the pixel is an <img>');
    assert.equal(urls.clicks.length, 3, `three tracked links for ${id}: ${urls.clicks}`);
    for (const c of urls.clicks) assert.match(c, token('t/c', id, '\\d+'));
    assert.equal(new URL(urls.clicks[0]).search, '');
    assert.equal(new URL(urls.clicks[1]).search, '');
    assert.equal(new URL(urls.clicks[2]).searchParams.get('u'), `https://shop.example/p?id=${id}`);
    assert.deepEqual([urls.unsubscribes.length, urls.mirrors.length], [1, 1]);
    assert.match(urls.unsubscribes[0], token('t/u', id, '0'));
    assert.match(urls.mirrors[0], token('m', id, '0'));
    assert.ok((message.headers['list-unsubscribe'] ?? '').includes(urls.unsubscribes[0].replace(server.url, PUBLIC_URL)),
              `List-Unsubscribe ${message.headers['list-unsubscribe']}`);
    assert.ok(message.html.includes(`Hello Reader${byId.get(id).email.match(/reader(\d+)/)[1]},`));
  }

  // The script: disjoint groups of recipients, chosen by a seeded shuffle.
  const rng = seededRandom(8);
  const order = rng.shuffle([...mail.keys()]);
  let at = 0;
  const take = (n) => order.slice(at, (at += n));
  const g = {
    once: take(250), five: take(100), openClick: take(80), openClickTwo: take(60), clickOnly: take(40),
    machine: take(10), unsubForm: take(10), unsubOneClick: take(10), mirror: take(15),
  };
  const linkIdOf = [];  // message order -> link id (from the click tokens)
  for (const c of mail.get(order[0]).urls.clicks) linkIdOf.push(Number(tokenOf(c).split('.')[3]));
  assert.equal(new Set(linkIdOf).size, 3);

  // What the script did, as the report should count it.
  const exp = { opens: 0, uniqueOpens: 0, machineOpens: 0, clicks: 0, uniqueClicks: 0, unsubscribes: 0, mirrorViews: 0 };
  const perLink = LINKS.map(() => ({ clicks: 0, unique: new Set() }));
  const perAgent = {};  // ua name -> { opens, machineOpens, clicks }
  const opened = new Set(), clicked = new Set();
  const agent = (ua) => (perAgent[ua] ??= { opens: 0, machineOpens: 0, clicks: 0, implicitOpens: 0 });

  const open = async (id, ua) => {
    const r = await hit(mail.get(id).urls.opens[0], { ua: UA[ua] });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'image/gif');
    assert.equal(r.body.length, 43);
    assert.equal(r.body.subarray(0, 6).toString('latin1'), 'GIF89a');
    assert.equal(r.headers.get('cache-control'), 'no-store, no-cache, must-revalidate, max-age=0');
    assert.equal(r.headers.get('pragma'), 'no-cache');
    assert.equal(r.headers.get('expires'), '0');
    if (ua === 'googleProxy') { exp.machineOpens++; agent(ua).machineOpens++; return; }
    exp.opens++;
    agent(ua).opens++;
    opened.add(id);
  };
  const click = async (id, n, ua) => {
    const r = await hit(mail.get(id).urls.clicks[n], { ua: UA[ua] });
    assert.equal(r.status, 302, `click ${n} of ${id}: ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.headers.get('location'), LINKS[n].url ?? `https://shop.example/p?id=${id}`);
    assert.match(r.headers.get('cache-control') ?? '', /no-store/);
    if (!opened.has(id)) { exp.opens++; opened.add(id); agent(ua).implicitOpens++; }
    exp.clicks++;
    agent(ua).clicks++;
    clicked.add(id);
    perLink[n].clicks++;
    perLink[n].unique.add(id);
  };

  const ua2 = (i) => (i % 2 ? 'android' : 'thunderbird');
  await mapLimit(g.once, 16, (id, i) => open(id, ua2(i)));
  await mapLimit(g.five, 16, async (id, i) => { for (let k = 0; k < 5; k++) await open(id, ua2(i)); });
  await mapLimit(g.openClick, 16, async (id) => { await open(id, 'thunderbird'); await click(id, 0, 'thunderbird'); });
  await mapLimit(g.openClickTwo, 16, async (id, i) => {
    await open(id, 'thunderbird');
    await click(id, 0, 'thunderbird');
    await click(id, 1, 'thunderbird');
    await click(id, i % 2, 'thunderbird');  // one of the two links twice
  });
  await mapLimit(g.clickOnly, 16, async (id, i) => {
    if (i % 2) { await click(id, 0, 'firefox'); await click(id, 0, 'firefox'); } else await click(id, 2, 'firefox');
  });
  await mapLimit(g.machine, 16, (id) => open(id, 'googleProxy'));

  await mapLimit(g.unsubForm, 4, async (id) => {
    const url = mail.get(id).urls.unsubscribes[0];
    const page = await hit(url, { ua: UA.firefox });
    assert.equal(page.status, 200, page.text);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const email = byId.get(id).email;
    assert.ok(!page.text.includes(email), 'the page masks the address');
    assert.ok(page.text.includes(email.split('@')[1]) || /\*/.test(page.text), 'the page shows the masked address');
    assert.ok(page.text.includes('The Shop'), 'the page names the sender');
    assert.match(page.text, /<form\b[^>]*method=["']?post/i);
    assert.match(page.text, /Unsubscribe from all emails/);
    assert.ok(!/<script\b/i.test(page.text) && !/<link\b[^>]*stylesheet[^>]*http/i.test(page.text), 'no script, no external assets');
    const done = await hit(formAction(page.text, url), { method: 'POST', ua: UA.firefox, body: formBody(page.text, 'scope=all'), type: 'application/x-www-form-urlencoded' });
    assert.equal(done.status, 200, done.text);
    assert.match(done.headers.get('content-type') ?? '', /^text\/html/);
    exp.unsubscribes++;
  });
  await mapLimit(g.unsubOneClick, 4, async (id) => {
    const r = await hit(mail.get(id).urls.unsubscribes[0], {
      method: 'POST', ua: 'Gmail one-click', body: 'List-Unsubscribe=One-Click', type: 'application/x-www-form-urlencoded',
    });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
    exp.unsubscribes++;
  });
  // Only an effective unsubscribe counts: once more from the page or in one click changes nothing.
  for (const id of [g.unsubForm[0], g.unsubOneClick[0]]) {
    const url = mail.get(id).urls.unsubscribes[0];
    const page = await hit(url);
    assert.equal(page.status, 200, page.text);
    assert.match(page.text, /already unsubscribed/i);
    const again = await hit(url, { method: 'POST', body: 'List-Unsubscribe=One-Click', type: 'application/x-www-form-urlencoded' });
    assert.equal(again.status, 200, again.text);
  }
  await mapLimit(g.mirror, 4, async (id) => {
    const { message, urls } = mail.get(id);
    const r = await hit(urls.mirrors[0], { ua: UA.firefox });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('x-robots-tag'), 'noindex');
    assert.equal(r.headers.get('cache-control'), 'private, no-store');
    assert.ok(!r.text.includes('/t/o/'), 'no open pixel on the mirror page');
    // The message as the recipient got it: the same HTML but for the pixel.
    // (Whitespace aside: the pixel may come with a line break of its own.)
    const squeeze = (html) => html.replace(/<img\b[^>]*\/t\/o\/[^>]*>/, '').replace(/\s+/g, ' ').trim();
    assert.equal(squeeze(r.text), squeeze(message.html));
    exp.mirrorViews++;
  });
  exp.uniqueOpens = opened.size;
  exp.uniqueClicks = clicked.size;

  const report = await reportWith(admin, d.id, { ...exp, sent: 1000, delivered: 1000 });
  const c = report.counts;
  assert.deepEqual(c, {
    targeted: 1000, excluded: 0, processed: 1000, sent: 1000, delivered: 1000, hardBounces: 0, softBounces: 0, ignored: 0,
    ...exp, complaints: 0,
  });
  console.log(`# script: ${JSON.stringify(exp)}`);
  assert.equal(report.deliveryId, d.id);
  assert.equal(report.label, 'Tracked offer');
  assert.equal(report.state, 'finished');
  for (const k of ['startedAt', 'finishedAt', 'generatedAt']) assert.match(report[k], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  assert.deepEqual(report.rates, {
    deliveredRate: 1, bounceRate: 0, hardBounceRate: 0, softBounceRate: 0,
    openRate: rate(exp.uniqueOpens, 1000), clickThroughRate: rate(exp.uniqueClicks, 1000),
    reactivity: rate(exp.uniqueClicks, exp.uniqueOpens), unsubscribeRate: rate(20, 1000), complaintRate: 0,
  });

  // Per hour: the rows add up to the totals.
  for (const k of ['sent', 'hardBounces', 'softBounces', 'opens', 'uniqueOpens', 'machineOpens', 'clicks', 'uniqueClicks', 'unsubscribes', 'mirrorViews', 'complaints']) {
    assert.equal(report.hourly.reduce((s, h) => s + h[k], 0), c[k], `hourly ${k}`);
  }
  for (const h of report.hourly) assert.match(h.hour, /^\d{4}-\d\d-\d\dT\d\d:00:00(\.000)?Z$/);

  // Per link: the registered URL (entities decoded), clicks, unique clickers and the share.
  assert.equal(report.links.length, 3, JSON.stringify(report.links));
  for (let n = 0; n < 3; n++) {
    const l = report.links.find((x) => x.linkId === linkIdOf[n]);
    assert.ok(l, `link ${linkIdOf[n]} in the report`);
    assert.equal(l.label, LINKS[n].label);
    assert.equal(l.category, 'link');
    if (LINKS[n].url) assert.equal(l.url, LINKS[n].url);
    assert.equal(l.clicks, perLink[n].clicks, `clicks on link ${n}`);
    assert.equal(l.uniqueClicks, perLink[n].unique.size, `unique clicks on link ${n}`);
    assert.equal(l.share, rate(perLink[n].clicks, exp.clicks));
  }

  // Per recipient domain.
  const domains = {};
  for (const id of mail.keys()) {
    const dom = byId.get(id).email.split('@')[1];
    const x = (domains[dom] ??= { domain: dom, targeted: 0, sent: 0, delivered: 0, hardBounces: 0, softBounces: 0, uniqueOpens: 0, uniqueClicks: 0 });
    x.targeted++; x.sent++; x.delivered++;
    if (opened.has(id)) x.uniqueOpens++;
    if (clicked.has(id)) x.uniqueClicks++;
  }
  for (const x of Object.values(domains)) {
    x.openRate = rate(x.uniqueOpens, x.delivered);
    x.clickThroughRate = rate(x.uniqueClicks, x.delivered);
  }
  assert.deepEqual([...report.domains].sort((a, b) => a.domain.localeCompare(b.domain)),
                   Object.values(domains).sort((a, b) => a.domain.localeCompare(b.domain)));

  // Per device and client family.
  const row = (device, client) => report.devices.filter((x) => x.device === device && (!client || x.client === client));
  const sum = (rows, k) => rows.reduce((s, x) => s + x[k], 0);
  assert.equal(sum(report.devices, 'machineOpens'), exp.machineOpens, JSON.stringify(report.devices));
  assert.equal(sum(report.devices, 'clicks'), exp.clicks);
  assert.deepEqual(row('desktop', 'Thunderbird').map((x) => [x.opens, x.machineOpens, x.clicks]),
                   [[perAgent.thunderbird.opens, 0, perAgent.thunderbird.clicks]]);
  assert.deepEqual(row('mobile', 'Chrome').map((x) => [x.opens, x.machineOpens, x.clicks]), [[perAgent.android.opens, 0, 0]]);
  assert.equal(sum(row('proxy'), 'machineOpens'), 10);
  assert.equal(sum(row('proxy'), 'opens'), 0);
  const firefox = row('desktop', 'Firefox');
  assert.equal(sum(firefox, 'clicks'), perAgent.firefox.clicks);
  // A click without an open counts as an open; whether the device table counts it too is the
  // ingestion's choice, but nothing else may be counted there.
  assert.ok([0, perAgent.firefox.implicitOpens].includes(sum(firefox, 'opens')), JSON.stringify(firefox));

  assert.deepEqual(report.bounces, []);
  assert.ok(report.exclusions.every((e) => e.count === 0), JSON.stringify(report.exclusions));

  // The CSV export of the links table.
  const csv = await admin.get(`/api/v1/deliveries/${d.id}/report/links.csv`);
  assert.equal(csv.status, 200, csv.text);
  assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.equal(csv.headers.get('content-disposition'), `attachment; filename="delivery-${d.id}-links.csv"`);
  const rows = parseCsv(csv.text.replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
  assert.deepEqual(rows[0], ['linkId', 'label', 'category', 'url', 'clicks', 'uniqueClicks', 'share']);
  assert.deepEqual(rows.slice(1).map((r) => [Number(r[0]), r[1], r[2], r[3], Number(r[4]), Number(r[5]), Number(r[6])])
                     .sort((a, b) => a[0] - b[0]),
                   report.links.map((l) => [l.linkId, l.label, l.category, l.url, l.clicks, l.uniqueClicks, l.share]).sort((a, b) => a[0] - b[0]));
  for (const table of ['summary', 'hourly', 'domains', 'devices', 'bounces', 'exclusions']) {
    const t = await admin.get(`/api/v1/deliveries/${d.id}/report/${table}.csv`);
    assert.equal(t.status, 200, `${table}.csv: ${t.text}`);
    assert.equal(t.headers.get('content-disposition'), `attachment; filename="delivery-${d.id}-${table}.csv"`);
  }
  const domainsCsv = parseCsv((await admin.get(`/api/v1/deliveries/${d.id}/report/domains.csv`)).text.replace(/^\uFEFF/, ''));
  assert.deepEqual(domainsCsv[0], Object.keys(report.domains[0]));
  errorOf(assert, await admin.get(`/api/v1/deliveries/${d.id}/report/nothing.csv`), 404);

  // One recipient's tracking history: exactly their events, newest first.
  const who = g.openClickTwo[0];  // open, click 0, click 1, click 0 again
  const history = await admin.get(`/api/v1/profiles/${who}/tracking?limit=50`);
  assert.equal(history.status, 200, history.text);
  assert.equal(history.json.next, null);
  assert.deepEqual(history.json.items.map((e) => [e.deliveryId, e.kind, e.linkId, e.url, e.machine, e.device, e.client]), [
    [d.id, 'click', linkIdOf[0], LINKS[0].url, false, 'desktop', 'Thunderbird'],
    [d.id, 'click', linkIdOf[1], LINKS[1].url, false, 'desktop', 'Thunderbird'],
    [d.id, 'click', linkIdOf[0], LINKS[0].url, false, 'desktop', 'Thunderbird'],
    [d.id, 'open', null, null, false, 'desktop', 'Thunderbird'],
  ]);
  for (const e of history.json.items) {
    assert.equal(e.deliveryLabel, 'Tracked offer');
    assert.match(e.at, /^\d{4}-\d\d-\d\dT/);
    assert.equal(typeof e.id, 'number');
  }
  assert.deepEqual(history.json.items.filter((e) => e.kind === 'click').map((e) => e.linkLabel),
                   [LINKS[0].label, LINKS[1].label, LINKS[0].label]);
  const page1 = await admin.get(`/api/v1/profiles/${who}/tracking?limit=3`);
  assert.equal(page1.json.items.length, 3);
  assert.ok(page1.json.next, 'a cursor to the next page');
  const page2 = await admin.get(`/api/v1/profiles/${who}/tracking?limit=3&cursor=${encodeURIComponent(page1.json.next)}`);
  assert.deepEqual([...page1.json.items, ...page2.json.items].map((e) => e.id), history.json.items.map((e) => e.id));
  const personalized = g.clickOnly[0];  // clicked the personalized link once, never opened
  const theirs = (await admin.get(`/api/v1/profiles/${personalized}/tracking`)).json.items;
  // tracking_events keeps no URL: a personalized link's history says so rather than the URL.
  assert.deepEqual(theirs.filter((e) => e.kind === 'click').map((e) => e.linkId), [linkIdOf[2]]);
  assert.ok([`https://shop.example/p?id=${personalized}`, '(personalized)'].includes(theirs.find((e) => e.kind === 'click').url),
            JSON.stringify(theirs));
  const machine = (await admin.get(`/api/v1/profiles/${g.machine[0]}/tracking`)).json.items;
  assert.deepEqual(machine.map((e) => [e.kind, e.machine, e.device]), [['open', true, 'proxy']]);
  const leaver = (await admin.get(`/api/v1/profiles/${g.unsubOneClick[0]}/tracking`)).json.items;
  assert.deepEqual(leaver.map((e) => e.kind), ['unsubscribe']);
  const quiet = order[order.length - 1];
  assert.deepEqual((await admin.get(`/api/v1/profiles/${quiet}/tracking`)).json.items, []);
  errorOf(assert, await admin.get('/api/v1/profiles/987654321/tracking'), 404);

  // Unsubscribed profiles have opted out of email; nobody else has.
  const left = new Set([...g.unsubForm, ...g.unsubOneClick]);
  const optedOut = await profilesWhere(admin, 'lastName = "Tracked" and blockEmail');
  assert.deepEqual(optedOut.map((p) => p.id).sort((a, b) => a - b), [...left].sort((a, b) => a - b));
  for (const id of g.unsubForm.slice(0, 2)) assert.equal((await admin.get(`/api/v1/profiles/${id}`)).json.blockEmail, true);

  // The cross-delivery report has the same numbers, and a CSV with a Total row.
  const across = await admin.get('/api/v1/reports/deliveries');
  assert.equal(across.status, 200, across.text);
  const mine = across.json.items.find((x) => x.deliveryId === d.id);
  assert.ok(mine, 'the delivery is in the cross-delivery report');
  assert.deepEqual(mine.counts, report.counts);
  assert.deepEqual(mine.rates, report.rates);
  assert.deepEqual(across.json.totals.counts, report.counts, 'one delivery sent: the totals are its numbers');
  const acrossCsv = await admin.get('/api/v1/reports/deliveries.csv');
  assert.equal(acrossCsv.status, 200, acrossCsv.text);
  assert.equal(acrossCsv.headers.get('content-type'), 'text/csv; charset=utf-8');
  const acrossRows = parseCsv(acrossCsv.text.replace(/^\uFEFF/, '')).filter((r) => r.length > 1);
  assert.equal(acrossRows.length, 3, acrossCsv.text);
  assert.ok(acrossRows[2].includes('Total'), acrossCsv.text);

  // Hot clicks: the HTML with every tracked link pointing at its id, and the link table.
  const hot = await admin.get(`/api/v1/deliveries/${d.id}/hot-clicks`);
  assert.equal(hot.status, 200, hot.text);
  for (const id of linkIdOf) assert.ok(hot.json.html.includes(`href="#ov-link-${id}"`), `#ov-link-${id} in ${hot.json.html}`);
  assert.ok(!hot.json.html.includes('/t/c/'), 'no tracked URL in the hot-clicks HTML');
  assert.deepEqual(hot.json.links, report.links);

  errorOf(assert, await admin.get('/api/v1/deliveries/987654321/report'), 404);
});

test('the timing rule: an open right after sending is a machine open; a later click is a human open', async () => {
  const rule = await startServer({ env: { ...FAST, OVERTURE_TRACKING_MACHINE_OPEN_SECONDS: '600' } });
  try {
    const a = await adminClient(rule);
    const ids = [];
    for (const name of ['Quick', 'Swift', 'Rapid']) {
      const r = await a.post('/api/v1/profiles', { email: `${name.toLowerCase()}@rule.example`, firstName: name });
      assert.equal(r.status, 201, r.text);
      ids.push(r.json.id);
    }
    const route = await maildirRoute(a, 'rule');
    const d = await send(a, { label: 'Rule', routeId: route, audience: { kind: 'list', profileIds: ids } });
    const mail = received(rule, 'rule', d.id);
    assert.equal(mail.size, 3);
    for (const id of ids) assert.equal((await hit(mail.get(id).urls.opens[0])).status, 200);
    await reportWith(a, d.id, { machineOpens: 3, opens: 0, uniqueOpens: 0 });
    // A click is a person: it counts as the recipient's (first human) open.
    assert.equal((await hit(mail.get(ids[0]).urls.clicks[1])).status, 302);
    const r = await reportWith(a, d.id, { machineOpens: 3, opens: 1, uniqueOpens: 1, clicks: 1, uniqueClicks: 1 });
    assert.equal(r.rates.openRate, rate(1, 3));
    const history = (await a.get(`/api/v1/profiles/${ids[1]}/tracking`)).json.items;
    assert.deepEqual(history.map((e) => [e.kind, e.machine]), [['open', true]]);
  } finally {
    await rule.stop();
  }
});

test('the unsubscribe page lists the email services; leaving one keeps the others and email', async () => {
  const services = {};
  for (const [name, label] of [['newsletter', 'Weekly newsletter'], ['offers', 'Special offers']]) {
    const r = await admin.post('/api/v1/services', { name, label, channel: 'email' });
    assert.equal(r.status, 201, r.text);
    services[name] = r.json.id;
  }
  const p = await admin.post('/api/v1/profiles', { email: 'subscriber@services.example', firstName: 'Sub' });
  assert.equal(p.status, 201, p.text);
  const other = await admin.post('/api/v1/profiles', { email: 'plain@services.example', firstName: 'Plain' });
  assert.equal(other.status, 201, other.text);
  for (const id of Object.values(services)) {
    assert.equal((await admin.post(`/api/v1/services/${id}/subscriptions`, { profile: p.json.id })).status, 201);
  }
  const route = await maildirRoute(admin, 'services');
  const d = await send(admin, { label: 'Services', routeId: route, audience: { kind: 'list', profileIds: [p.json.id, other.json.id] } });
  const mail = received(server, 'services', d.id);
  const url = mail.get(p.json.id).urls.unsubscribes[0];

  const page = await hit(url);
  assert.equal(page.status, 200, page.text);
  for (const name of ['newsletter', 'offers']) {
    assert.match(page.text, new RegExp(`<input\\b[^>]*type=["']?checkbox[^>]*value=["']?${name}\\b|<input\\b[^>]*value=["']?${name}["']?[^>]*type=["']?checkbox`, 'i'),
                 `a checkbox for ${name}`);
  }
  assert.match(page.text, /Weekly newsletter/);
  // Somebody without subscriptions gets the button only.
  const plain = await hit(mail.get(other.json.id).urls.unsubscribes[0]);
  assert.equal(plain.status, 200);
  assert.ok(!/type=["']?checkbox/i.test(plain.text), 'no checkbox without subscriptions');

  const left = await hit(formAction(page.text, url), { method: 'POST', body: formBody(page.text, 'scope=services&service=newsletter'), type: 'application/x-www-form-urlencoded' });
  assert.equal(left.status, 200, left.text);
  const subs = (await admin.get(`/api/v1/profiles/${p.json.id}/subscriptions`)).json.items;
  assert.deepEqual(subs.map((s) => s.service), [services.offers]);
  assert.equal((await admin.get(`/api/v1/profiles/${p.json.id}`)).json.blockEmail, false);
  assert.equal((await admin.get(`/api/v1/services/${services.newsletter}`)).json.subscriberCount, 0);
  await reportWith(admin, d.id, { unsubscribes: 1 });
  // The page now offers only what is left.
  const again = await hit(url);
  assert.ok(!new RegExp(`value=["']?newsletter\\b`).test(again.text), 'newsletter is gone from the page');
  assert.ok(new RegExp(`value=["']?offers\\b`).test(again.text), 'offers is still on the page');
});
