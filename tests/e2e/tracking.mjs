#!/usr/bin/env node
// End-to-end test of tracking and reports: a delivery is sent to a maildir folder, its messages
// are read back and their tracked links followed (open pixels, clicks, a mirror page) with Node's
// fetch, then the delivery's report is checked in the browser (KPIs, charts, hot clicks, a CSV
// download), the Reports page, an unsubscribe link followed and confirmed in the browser, and
// the profile's opens and clicks. Debian's Chromium through playwright-core, as run.mjs.
//
//   OVERTURE_URL, OVERTURE_ADMIN_PASSWORD (required), OVERTURE_E2E_OUT, OVERTURE_CHROMIUM:
//                            see lib.mjs (the set-up shared by the e2e scripts)
//   OVERTURE_EMAIL_MAILDIR_ROOT  (required) the server's email.maildir_root: the messages are
//                            read from the route's folder under it
//
// Set-up through the API: a maildir route, a test profile (the hot-clicks view renders for it),
// three profiles on two domains and one opted out of email; a delivery whose HTML has two links,
// the unsubscribe link and the mirror link; prepared, confirmed and sent until "finished".
// The links in the messages start with delivery.public_url (http://127.0.0.1:8080 by default):
// their origin is replaced with OVERTURE_URL, and redirects are not followed (the 302's Location
// is checked). Opens wait until the messages are 3 s old (tracking.machine_open_seconds, 2 by
// default, flags younger opens as machine opens).
//
// Followed: Ada (desktop Chrome) opens 3 times, clicks the first link twice and the second once,
// views the mirror page; Grace (iPhone) opens once and clicks the first link; Linus's open comes
// through Google's image proxy (a machine open). Expected: 3 sent and delivered, 1 excluded,
// 2 unique opens, 1+ machine opens, 4 clicks, 2 unique clicks, shares 75% and 25%, 1 mirror view.
// Screenshots: the report (90), opens and clicks cumulated (91), hot clicks (92), the report's
// tables (93), the Reports page (94), Linus's unsubscribe page (95) and its confirmation (96),
// the report with the unsubscribe (97), Ada's opens and clicks on her profile page (98).
// Fresh names on every run; exits 0 on success; on failure prints the step, saves failure.png, exits 1.

import fs from 'node:fs';
import path from 'node:path';

import { BASE, check, E2eFailure, launch, log, logInAsAdmin, OUT, page, run, sessionApi, shot, step } from './lib.mjs';

const RUN_TIMEOUT_MS = 180_000;
const TAG = Date.now().toString(36);
const ROUTE = `e2e-tracking-${TAG}`;
const FOLDER = `e2e/tracking-${TAG}`;
const LABEL = `E2E tracking ${TAG}`;
const FROM = `news-${TAG}@e2e.example`;
const MAILDIR_ROOT = process.env.OVERTURE_EMAIL_MAILDIR_ROOT || '';
const LINK_A = `https://shop.example/spring?utm_campaign=e2e-${TAG}`;
const LINK_B = 'https://shop.example/sale';
const UA = {
  desktop: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  iphone: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  proxy: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
};

const HTML = `<!doctype html>
<html>
  <body style="font-family: Helvetica, Arial, sans-serif; padding: 16px">
    <h1 style="font-size: 22px">Hello {{ profile.firstName }}</h1>
    <p>Our spring collection is out, and the sale goes on until Sunday.</p>
    <p><a href="${LINK_A}" style="display: inline-block; padding: 10px 18px; background: #228be6; color: #fff; text-decoration: none; border-radius: 4px">See the spring collection</a></p>
    <p>Or go straight to <a href="${LINK_B}">the sale</a>.</p>
    <p style="font-size: 11px; color: #71717a">
      <a href="{{ unsubscribe_url }}">Unsubscribe</a> · <a href="{{ mirror_url }}">View in a browser</a>
    </p>
  </body>
</html>
`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// --- Reading the messages ---------------------------------------------------------------------

function parseHeaders(block) {
  const headers = {};
  for (const line of block.replace(/\n[ \t]+/g, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    headers[name] ??= line.slice(colon + 1).trim();
  }
  return headers;
}

function decodeBody(body, encoding) {
  const e = (encoding || '7bit').toLowerCase();
  if (e === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (e === 'quoted-printable') {
    const latin1 = body.replace(/=\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(latin1, 'latin1').toString('utf8');
  }
  return body;
}

/** The message's headers and its text parts by content type (multipart walked recursively). */
function parseMessage(raw) {
  const text = raw.replace(/\r\n/g, '\n');
  const cut = text.indexOf('\n\n');
  const headers = parseHeaders(text.slice(0, cut));
  const parts = {};
  const walk = (h, body) => {
    const type = (h['content-type'] || 'text/plain').toLowerCase();
    const boundary = /boundary="?([^";]+)"?/i.exec(h['content-type'] || '');
    if (type.startsWith('multipart/') && boundary) {
      const chunks = body.split(`--${boundary[1]}`).slice(1);
      for (const chunk of chunks) {
        if (chunk.startsWith('--')) break;
        const c = chunk.replace(/^\n/, '');
        const at = c.indexOf('\n\n');
        if (at < 0) continue;
        walk(parseHeaders(c.slice(0, at)), c.slice(at + 2).replace(/\n$/, ''));
      }
      return;
    }
    parts[type.split(';')[0].trim()] ??= decodeBody(body, h['content-transfer-encoding']);
  };
  walk(headers, text.slice(cut + 2));
  return { headers, parts };
}

const unescapeAttr = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** The tracked URLs of a message's HTML: open pixels, clicks, unsubscribe and mirror links. */
function trackedLinks(html) {
  const urls = [...html.matchAll(/(?:href|src)\s*=\s*"([^"]+)"/gi)].map((m) => unescapeAttr(m[1]));
  const of = (re) => urls.filter((u) => re.test(new URL(u, 'http://x').pathname));
  return {
    opens: of(/^\/t\/o\//),
    clicks: of(/^\/t\/c\//),
    unsubscribe: of(/^\/t\/u\//)[0],
    mirror: of(/^\/m\//)[0],
  };
}

/** The same path and query on the server under test (the messages carry delivery.public_url). */
function local(url) {
  const u = new URL(url);
  return `${BASE}${u.pathname}${u.search}`;
}

async function hit(url, agent) {
  const res = await fetch(local(url), { redirect: 'manual', headers: { 'User-Agent': agent } });
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

async function open(message, agent) {
  check(message.links.opens.length === 1, `${message.to}: ${message.links.opens.length} open pixels in the HTML`);
  const r = await hit(message.links.opens[0], agent);
  check(r.status === 200 && r.headers.get('content-type') === 'image/gif' && r.body.length === 43,
    `the open pixel answered ${r.status} ${r.headers.get('content-type')} (${r.body.length} bytes)`);
  check(/no-store/.test(r.headers.get('cache-control') || ''), `the open pixel's Cache-Control is "${r.headers.get('cache-control')}"`);
}

async function click(message, index, agent, expected) {
  const r = await hit(message.links.clicks[index], agent);
  check(r.status === 302, `click ${index} of ${message.to} answered ${r.status}: ${r.body.toString('utf8').slice(0, 200)}`);
  check(r.headers.get('location') === expected, `click ${index} of ${message.to} redirects to ${r.headers.get('location')}, not ${expected}`);
}

async function shotOf(locator, name) {
  const file = path.join(OUT, `${name}.png`);
  await locator.scrollIntoViewIfNeeded();
  await locator.screenshot({ path: file });
  log(`  screenshot ${file}`);
}

async function main() {
  check(MAILDIR_ROOT, 'set OVERTURE_EMAIL_MAILDIR_ROOT to the server\'s email.maildir_root (scripts/e2e.sh does)');
  await launch({ acceptDownloads: true });
  await step('log in as admin', logInAsAdmin);
  const api = await sessionApi();
  const ids = {};
  const people = {};

  await step('set-up through the API: a maildir route, a test profile, four profiles and a delivery', async () => {
    const route = await api.send('POST', '/api/v1/routes', { name: ROUTE, label: `E2E tracking ${TAG}`, kind: 'maildir', maildir: { folder: FOLDER } });
    check(route.status === 201, `POST /routes answered ${route.status}: ${route.text}`);
    const test = await api.send('POST', '/api/v1/test-profiles', { label: `Tester ${TAG}`, email: `tester-${TAG}@e2e.example`, firstName: 'Tess', useForProof: true });
    check(test.status === 201, `POST /test-profiles answered ${test.status}: ${test.text}`);
    for (const [name, domain] of [['Ada', 'alpha'], ['Grace', 'beta'], ['Linus', 'alpha']]) {
      const email = `${name.toLowerCase()}-${TAG}@${domain}.e2e.example`;
      const p = await api.send('POST', '/api/v1/profiles', { email, firstName: name, lastName: `Tracking ${TAG}` });
      check(p.status === 201, `POST /profiles answered ${p.status}: ${p.text}`);
      people[name] = { id: p.json.id, email };
    }
    const out = await api.send('POST', '/api/v1/profiles', { email: `margaret-${TAG}@beta.e2e.example`, firstName: 'Margaret', blockEmail: true });
    check(out.status === 201, `POST /profiles answered ${out.status}: ${out.text}`);
    const d = await api.send('POST', '/api/v1/deliveries', {
      label: LABEL,
      routeId: route.json.id,
      content: {
        from: { name: 'E2E Shop', address: FROM },
        subject: 'Spring is here, {{ profile.firstName }}',
        html: HTML,
        text: 'Our spring collection is out.\n\nUnsubscribe: {{ unsubscribe_url }}\n',
        textMode: 'manual',
      },
      audience: { kind: 'list', profileIds: [people.Ada.id, people.Grace.id, people.Linus.id, out.json.id] },
      settings: { testProfileIds: [test.json.id] },
    });
    check(d.status === 201, `POST /deliveries answered ${d.status}: ${d.text}`);
    ids.delivery = d.json.id;
  });

  const waitState = async (wanted, timeoutMs) => {
    const until = Date.now() + timeoutMs;
    let d = null;
    while (Date.now() < until) {
      d = (await api.get(`/api/v1/deliveries/${ids.delivery}`)).json;
      if (wanted.includes(d.state)) return d;
      if (d.state === 'draft' && d.preparation && d.preparation.errors.length) {
        throw new E2eFailure(`the preparation went back to draft: ${d.preparation.errors.join('; ')}`);
      }
      await sleep(300);
    }
    throw new E2eFailure(`the delivery is "${d && d.state}" after ${timeoutMs / 1000}s, expected ${wanted.join(' or ')}`);
  };

  await step('prepare, confirm and send until "finished"', async () => {
    const prep = await api.send('POST', `/api/v1/deliveries/${ids.delivery}/prepare`);
    check(prep.status === 200, `POST …/prepare answered ${prep.status}: ${prep.text}`);
    await waitState(['ready'], 30_000);
    const conf = await api.send('POST', `/api/v1/deliveries/${ids.delivery}/confirm`);
    check(conf.status === 200, `POST …/confirm answered ${conf.status}: ${conf.text}`);
    const d = await waitState(['finished', 'failed', 'stopped'], 60_000);
    check(d.state === 'finished' && d.counters.sent === 3, `the delivery ended ${d.state} with ${d.counters.sent} sent`);
  });

  const messages = {};
  await step('the three messages in the maildir folder carry the tracked links', async () => {
    const dir = path.join(MAILDIR_ROOT, FOLDER, 'new');
    const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
    check(files.length === 3, `${dir} holds ${files.length} messages, expected 3`);
    for (const f of files) {
      const m = parseMessage(fs.readFileSync(path.join(dir, f), 'utf8'));
      const who = Object.keys(people).find((n) => (m.headers.to || '').includes(people[n].email));
      check(who, `a message to ${m.headers.to} is for nobody of the audience`);
      const html = m.parts['text/html'] || '';
      check(html.includes(`Hello ${who}`), `the HTML of ${who}'s message is not personalized`);
      const links = trackedLinks(html);
      check(links.clicks.length === 2, `${who}'s message has ${links.clicks.length} tracked click links, expected 2: ${html.slice(0, 800)}`);
      check(links.unsubscribe && links.mirror, `${who}'s message lacks the unsubscribe or the mirror link`);
      check(!html.includes(LINK_A) && !html.includes('shop.example/sale'), `${who}'s message has an untracked link`);
      if (m.headers['list-unsubscribe']) {
        check(m.headers['list-unsubscribe'].includes('/t/u/'), `List-Unsubscribe: ${m.headers['list-unsubscribe']}`);
      }
      messages[who] = { to: people[who].email, links, file: f };
    }
    log(`  e.g. open ${messages.Ada.links.opens[0]}, click ${messages.Ada.links.clicks[0]}`);
  });

  await step('follow the links: opens, clicks (302 to the registered URL), a mirror page; forged tokens refused', async () => {
    // Opens younger than tracking.machine_open_seconds (2 s by default) count as machine opens.
    await sleep(3000);
    const { Ada, Grace, Linus } = messages;
    for (let i = 0; i < 3; i++) await open(Ada, UA.desktop);
    await click(Ada, 0, UA.desktop, LINK_A);
    await click(Ada, 0, UA.desktop, LINK_A);
    await click(Ada, 1, UA.desktop, LINK_B);
    await open(Grace, UA.iphone);
    await click(Grace, 0, UA.iphone, LINK_A);
    await open(Linus, UA.proxy);

    const mirror = await hit(Ada.links.mirror, UA.desktop);
    check(mirror.status === 200 && /text\/html/.test(mirror.headers.get('content-type') || ''), `the mirror page answered ${mirror.status}`);
    const mirrorHtml = mirror.body.toString('utf8');
    check(mirrorHtml.includes('Hello Ada') && !mirrorHtml.includes('/t/o/'), 'the mirror page is not Ada\'s message without its open pixel');

    // One character changed in a click token: no redirect. A forged open token still gets the GIF.
    // (Not the last character: its low bits may be base64 padding.)
    const good = new URL(Ada.links.clicks[0]);
    const at = good.pathname.length - 5;
    const swapped = good.pathname[at] === 'A' ? 'B' : 'A';
    good.pathname = good.pathname.slice(0, at) + swapped + good.pathname.slice(at + 1);
    const forged = await hit(good.href, UA.desktop);
    check(forged.status === 404 && !forged.headers.get('location'), `a forged click token answered ${forged.status} ${forged.headers.get('location') || ''}`);
    const pixel = new URL(Ada.links.opens[0]);
    pixel.pathname = `${pixel.pathname.slice(0, -2)}xx`;
    const forgedOpen = await hit(pixel.href, UA.desktop);
    check(forgedOpen.status === 200 && forgedOpen.body.length === 43, `a forged open token answered ${forgedOpen.status}`);
  });

  let report = null;
  await step('the report API counts what was done (at most a second behind)', async () => {
    const until = Date.now() + 15_000;
    while (Date.now() < until) {
      report = (await api.get(`/api/v1/deliveries/${ids.delivery}/report`)).json;
      if (report && report.counts && report.counts.clicks >= 4 && report.counts.mirrorViews >= 1 && report.counts.uniqueOpens >= 2) break;
      await sleep(500);
    }
    const c = report.counts;
    const want = { targeted: 4, excluded: 1, sent: 3, delivered: 3, uniqueOpens: 2, clicks: 4, uniqueClicks: 2, mirrorViews: 1, unsubscribes: 0 };
    for (const [k, v] of Object.entries(want)) check(c[k] === v, `report counts.${k} is ${c[k]}, expected ${v}: ${JSON.stringify(c)}`);
    check(c.machineOpens >= 1, `report counts.machineOpens is ${c.machineOpens}, expected at least 1 (Linus's proxy open)`);
    check(report.rates.openRate === 0.6667 && report.rates.reactivity === 1, `rates ${JSON.stringify(report.rates)}`);
    const a = report.links.find((l) => l.url === LINK_A);
    const b = report.links.find((l) => l.url === LINK_B);
    check(a && b && a.clicks === 3 && b.clicks === 1 && a.share === 0.75 && b.share === 0.25, `links ${JSON.stringify(report.links)}`);
    ids.linkA = a.linkId;
    ids.linkB = b.linkId;
  });

  await step('the delivery page links to its report; KPIs and charts', async () => {
    await page.goto(`/messages/${ids.delivery}`);
    await page.getByTestId('open-report').click();
    await page.waitForURL(new RegExp(`/messages/${ids.delivery}/report$`));
    await page.getByTestId('delivery-report').waitFor();
    const openRate = await page.getByTestId('kpi-openRate-value').innerText();
    check(openRate === '66.7%', `the open rate card reads ${openRate}`);
    const ctr = await page.getByTestId('kpi-clickThroughRate-value').innerText();
    check(ctr === '66.7%', `the click-through card reads ${ctr}`);
    const reactivity = await page.getByTestId('kpi-reactivity-value').innerText();
    check(reactivity === '100%', `the reactivity card reads ${reactivity}`);
    const delivered = await page.getByTestId('kpi-delivered-value').innerText();
    check(delivered === '100%', `the delivered card reads ${delivered}`);
    for (const chart of ['chart-activity', 'chart-devices', 'chart-clients']) {
      await page.locator(`[data-testid="${chart}"][data-ready="true"] canvas`).first().waitFor();
    }
    await page.waitForTimeout(500);
    await shot('90-report');
    await page.getByRole('radiogroup', { name: 'Opens and clicks view' }).locator('label', { hasText: 'Cumulative' }).click();
    await page.waitForTimeout(300);
    await shotOf(page.getByTestId('panel-hourly'), '91-report-cumulative');
  });

  await step('hot clicks: the message with each link\'s share of the clicks', async () => {
    const hot = page.getByTestId('hot-clicks');
    const badges = page.getByTestId('hot-clicks-badges');
    await badges.locator(`[data-link="${ids.linkA}"]`).first().waitFor();
    const a = await badges.locator(`[data-link="${ids.linkA}"]`).first().getAttribute('data-share');
    const b = await badges.locator(`[data-link="${ids.linkB}"]`).first().getAttribute('data-share');
    check(a === '75%' && b === '25%', `the badges read ${a} and ${b}`);
    // The badge sits on its link: its box overlaps the anchor's in the frame.
    const frame = page.locator('iframe[title="Hot clicks"]');
    const frameBox = await frame.boundingBox();
    const anchorBox = await page.frameLocator('iframe[title="Hot clicks"]').locator(`a[href="#ov-link-${ids.linkA}"]`).first().boundingBox();
    const badgeBox = await badges.locator(`[data-link="${ids.linkA}"]`).first().boundingBox();
    check(frameBox && anchorBox && badgeBox, 'the hot-clicks frame, link or badge has no box');
    const near = Math.abs(badgeBox.y + badgeBox.height / 2 - anchorBox.y) < 30 && badgeBox.x < anchorBox.x + anchorBox.width + 30 && badgeBox.x + badgeBox.width > anchorBox.x;
    check(near, `the badge at ${JSON.stringify(badgeBox)} is not on its link at ${JSON.stringify(anchorBox)}`);
    const sandbox = await frame.getAttribute('sandbox');
    check(sandbox === 'allow-same-origin', `the frame's sandbox is "${sandbox}"`);
    await shotOf(hot, '92-report-hot-clicks');
  });

  await step('the links table exports as CSV', async () => {
    const links = page.getByTestId('panel-links');
    const [download] = await Promise.all([page.waitForEvent('download'), links.getByTestId('csv-links').click()]);
    check(download.suggestedFilename() === `delivery-${ids.delivery}-links.csv`, `the download is named ${download.suggestedFilename()}`);
    const file = path.join(OUT, `tracking-links-${TAG}.csv`);
    await download.saveAs(file);
    const csv = fs.readFileSync(file, 'utf8');
    fs.rmSync(file, { force: true });
    const lines = csv.trim().split(/\r?\n/);
    check(lines[0] === 'linkId,label,category,url,clicks,uniqueClicks,share', `the CSV header is ${lines[0]}`);
    const row = lines.find((l) => l.includes(LINK_A));
    check(row && /,3,2,0\.75(00)?$/.test(row), `the CSV row of the first link is ${row}: ${csv}`);
    await shotOf(page.getByTestId('panel-domains'), '93-report-domains');
  });

  await step('Reports: the delivery among those of the last 90 days, with the totals and the chart', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Reports' }).click();
    await page.waitForURL(/\/reports$/);
    const row = page.getByRole('table', { name: 'Deliveries report' }).locator(`tr[data-delivery="${ids.delivery}"]`);
    await row.waitFor();
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    check(text.includes(LABEL) && text.includes('66.7%'), `the row reads: ${text}`);
    await page.getByTestId('totals').waitFor();
    await page.locator('[data-testid="chart-deliveries"][data-ready="true"] canvas').first().waitFor();
    await page.waitForTimeout(300);
    await shot('94-reports');
  });

  await step("Linus's unsubscribe link in the browser: the page, then \"Unsubscribe from all emails\"", async () => {
    const res = await page.goto(local(messages.Linus.links.unsubscribe));
    check(res && res.status() === 200, `GET /t/u answered ${res && res.status()}`);
    const button = page.getByRole('button', { name: 'Unsubscribe from all emails' });
    await button.waitFor();
    const body = await page.locator('body').innerText();
    check(!body.includes(people.Linus.email), 'the unsubscribe page shows the whole address');
    await shot('95-unsubscribe-page');
    await button.click();
    await page.waitForLoadState('load');
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    check(await button.count() === 0, 'the unsubscribe page still offers the button after unsubscribing');
    await shot('96-unsubscribe-done');
    const p = await api.get(`/api/v1/profiles/${people.Linus.id}`);
    check(p.status === 200 && p.json.blockEmail === true, `Linus's blockEmail is ${p.json && p.json.blockEmail}`);
  });

  await step('the report counts the unsubscribe', async () => {
    const until = Date.now() + 10_000;
    let n = 0;
    while (Date.now() < until) {
      n = (await api.get(`/api/v1/deliveries/${ids.delivery}/report`)).json.counts.unsubscribes;
      if (n >= 1) break;
      await sleep(500);
    }
    check(n === 1, `the report counts ${n} unsubscribes`);
    await page.goto(`/messages/${ids.delivery}/report`);
    await page.getByTestId('kpi-unsubscribeRate-value').filter({ hasText: '33.3%' }).waitFor();
    await page.locator('[data-testid="chart-activity"][data-ready="true"] canvas').first().waitFor();
    await page.waitForTimeout(300);
    await shotOf(page.getByTestId('kpis'), '97-report-unsubscribed');
  });

  await step("Ada's profile page shows her opens and clicks", async () => {
    await page.goto(`/profiles/${people.Ada.id}`);
    const table = page.getByRole('table', { name: 'Opens and clicks' });
    await table.locator('tr[data-kind="click"]').first().waitFor();
    const clicks = await table.locator('tr[data-kind="click"]').count();
    const opens = await table.locator('tr[data-kind="open"]').count();
    check(clicks === 3 && opens >= 3, `the profile lists ${clicks} clicks and ${opens} opens`);
    const text = (await table.innerText()).replace(/\s+/g, ' ');
    check(text.includes(LABEL) && text.includes(LINK_A), `the table reads: ${text.slice(0, 400)}`);
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('98-profile-opens-clicks');
  });
}

run(main, { timeoutMs: RUN_TIMEOUT_MS });
