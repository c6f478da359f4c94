#!/usr/bin/env node
// End-to-end test of email deliveries (Messages): the editor with its steps, the MJML email
// editor, previews, proofs, preparation, confirmation and the sending dashboard, driving Debian's
// Chromium through playwright-core (same settings as run.mjs).
//
//   OVERTURE_URL, OVERTURE_ADMIN_PASSWORD (required), OVERTURE_E2E_OUT, OVERTURE_CHROMIUM:
//                            see lib.mjs (the set-up shared by the e2e scripts)
//   OVERTURE_EMAIL_MAILDIR_ROOT  when set (the server's email.maildir_root), the proof's file is
//                            looked for in the route's folder under it; otherwise the proofs list
//                            is the evidence
//   OVERTURE_E2E_STOP_AFTER  "prepare" to stop once the delivery is ready (before confirming)
//
// Set-up through the API: a maildir route, a test profile (proofs), three profiles and one
// opted out of email.
// Flow: Messages > New email (70); Properties: route and sender (71); Audience: the four
// profiles by id, counted (72); Content: the MJML starter, a personalization field inserted in
// the subject and in the MJML at the cursor, compiled in the browser, the text part generated,
// the live preview (73); Preview & proofs: the saved email rendered for the test profile at
// mobile width (74), a proof sent, listed, and found in the maildir folder when it is known (75);
// Prepare: progress, then ready with its report, one excluded as opted out (76); Confirm (77);
// the dashboard until "finished" (78); the sending log: three sent, one ignored (79); the
// profile's sending history (80); the message list filtered on "Finished" (81); a marketer
// prepares a copy but finds "Confirm the send" disabled, with the reason (82); before that, a
// content fragment is created under Messages > Content fragments and listed (83).
// Fresh names on every run; exits 0 on success; on failure prints the step, saves failure.png, exits 1.

import fs from 'node:fs';
import path from 'node:path';

import { check, E2eFailure, launch, log, login, logInAsAdmin, logout, page, run, sessionApi, shot, step, submitDialog } from './lib.mjs';

const RUN_TIMEOUT_MS = 180_000;
const TAG = Date.now().toString(36);
const ROUTE = `e2e-deliveries-${TAG}`;
const FOLDER = `e2e/deliveries-${TAG}`;
const LABEL = `E2E newsletter ${TAG}`;
const TEST_NAME = `Proofreader${TAG}`;
const TEST_EMAIL = `proof-${TAG}@e2e.example`;
const FROM = `news-${TAG}@e2e.example`;
const MAILDIR_ROOT = process.env.OVERTURE_EMAIL_MAILDIR_ROOT || '';
const STOP_AFTER = process.env.OVERTURE_E2E_STOP_AFTER || '';
const MARKETER = `mkt-deliveries-${TAG}`;
const MARKETER_PASSWORD = `${MARKETER}-e2e-Passw0rd`;

async function waitForState(wanted, timeoutMs) {
  const badge = page.getByTestId('delivery-state');
  const until = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < until) {
    last = (await badge.getAttribute('data-state').catch(() => '')) || '';
    if (wanted.includes(last)) return last;
    await page.waitForTimeout(500);
  }
  throw new Error(`the delivery is "${last}" after ${timeoutMs / 1000}s, expected ${wanted.join(' or ')}`);
}

async function openStep(name) {
  await page.getByRole('button', { name: `Step ${name}`, exact: true }).click();
}

async function chooseOption(label, option, scope = page) {
  await scope.getByRole('textbox', { name: label, exact: true }).click();
  await page.getByRole('option', { name: option }).first().click();
}

async function main() {
  await launch();
  await step('log in as admin', logInAsAdmin);
  const api = await sessionApi();
  const ids = {};

  await step('set-up through the API: a maildir route, a test profile and three profiles', async () => {
    const route = await api.send('POST', '/api/v1/routes', { name: ROUTE, label: `E2E deliveries ${TAG}`, kind: 'maildir', maildir: { folder: FOLDER } });
    check(route.status === 201, `POST /routes answered ${route.status}: ${route.text}`);
    ids.route = route.json.id;
    const test = await api.send('POST', '/api/v1/test-profiles', { label: TEST_NAME, email: TEST_EMAIL, firstName: TEST_NAME, useForProof: true });
    check(test.status === 201, `POST /test-profiles answered ${test.status}: ${test.text}`);
    ids.test = test.json.id;
    ids.profiles = [];
    for (const name of ['Ada', 'Grace', 'Linus']) {
      const p = await api.send('POST', '/api/v1/profiles', { email: `${name.toLowerCase()}-${TAG}@e2e.example`, firstName: name, lastName: `Delivery ${TAG}` });
      check(p.status === 201, `POST /profiles answered ${p.status}: ${p.text}`);
      ids.profiles.push(p.json.id);
    }
    // Opted out of email: excluded at preparation.
    const out = await api.send('POST', '/api/v1/profiles', { email: `margaret-${TAG}@e2e.example`, firstName: 'Margaret', lastName: `Delivery ${TAG}`, blockEmail: true });
    check(out.status === 201, `POST /profiles answered ${out.status}: ${out.text}`);
    ids.optedOut = out.json.id;
  });

  await step('Messages > New email: a blank MJML email', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Messages' }).click();
    await page.waitForURL(/\/messages$/);
    await page.getByRole('table', { name: 'Deliveries' }).waitFor();
    await page.getByRole('button', { name: 'New email' }).click();
    const dialog = page.getByRole('dialog', { name: 'New email' });
    await dialog.waitFor();
    await dialog.getByLabel(/^Label\b/).fill(LABEL);
    await page.waitForTimeout(300);
    await shot('70-delivery-new');
    await submitDialog(dialog, 'Create');
    await page.waitForURL(/\/messages\/\d+$/);
    ids.delivery = Number(page.url().split('/').pop());
    await waitForState(['draft'], 5000);
  });

  await step('Properties: the route and the sender', async () => {
    await chooseOption('Route', new RegExp(`E2E deliveries ${TAG}`));
    await page.getByLabel('From name').fill('E2E Shop');
    await page.getByLabel('From address').fill(FROM);
    await shot('71-delivery-properties');
  });

  await step('Audience: the three profiles by id, counted', async () => {
    await openStep('Audience');
    await page.getByText('List of profiles', { exact: true }).click();
    await page.getByLabel('Profile ids').fill([...ids.profiles, ids.optedOut].join(', '));
    await page.getByTestId('audience-count').filter({ hasText: '4 profiles listed' }).waitFor();
    await shot('72-delivery-audience');
  });

  await step('Content: a field in the subject and in the MJML at the cursor; compiled; text generated', async () => {
    await openStep('Content');
    const subject = page.getByLabel('Subject', { exact: true });
    await subject.fill('Hello ');
    await subject.press('End');
    await page.getByRole('button', { name: 'Insert personalization field in subject' }).click();
    await page.getByRole('menuitem', { name: /^First name/ }).click();
    check((await subject.inputValue()) === 'Hello {{ profile.firstName }}', `subject: ${await subject.inputValue()}`);
    // In the MJML: after "Write your message here." put the field.
    const line = page.locator('.cm-line').filter({ hasText: 'Write your message here.' });
    await line.click();
    await page.keyboard.press('End');
    // The end of the line is after </mj-text>: go back before it.
    for (let i = 0; i < '</mj-text>'.length; i++) await page.keyboard.press('ArrowLeft');
    await page.keyboard.type(' Dear ');
    await page.getByRole('button', { name: 'Insert personalization field', exact: true }).click();
    await page.getByRole('menuitem', { name: /^First name/ }).click();
    const source = await page.locator('.cm-content').innerText();
    check(source.includes('Write your message here. Dear {{ profile.firstName }}</mj-text>'), `the MJML reads: ${source.slice(0, 600)}`);
    await page.getByText('compiled', { exact: true }).waitFor({ timeout: 20_000 });
    // The MJML compiles 300 ms after the last keystroke; the text part follows the HTML.
    let text = '';
    for (let i = 0; i < 50 && !text.includes('Dear {{ profile.firstName }}'); i++) {
      await page.waitForTimeout(200);
      text = await page.getByLabel('Plain-text part').inputValue();
    }
    check(text.includes('Dear {{ profile.firstName }}') && text.includes('[{{ unsubscribe_url }}]'), `the text part reads: ${text}`);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('unsaved').waitFor({ state: 'hidden' });
    const saved = await api.get(`/api/v1/deliveries/${ids.delivery}`);
    check(saved.json.content.html.includes('{{ profile.firstName }}') && saved.json.content.editor === 'mjml', 'the saved HTML has no field');
    check(saved.json.routeId === ids.route, `saved routeId ${saved.json.routeId}`);
    check(saved.json.audience.kind === 'list' && saved.json.audience.profileIds.length === 4, `saved audience ${JSON.stringify(saved.json.audience)}`);
    // The live preview renders the content as it is edited (no recipient: the fields are empty).
    await page.frameLocator('iframe[title="Live preview"]').getByText('Write your message here. Dear').waitFor();
    await shot('73-delivery-content');
  });

  await step('Preview & proofs: the email for the test profile at mobile width', async () => {
    await openStep('Preview & proofs');
    await chooseOption('Test profile', new RegExp(TEST_NAME));
    await page.getByRole('radiogroup', { name: 'Preview width' }).locator('label', { hasText: 'Mobile' }).click();
    const frame = page.locator('iframe[title="Delivery preview"]');
    await frame.waitFor();
    check((await frame.getAttribute('data-width')) === 'mobile', 'the preview is not at mobile width');
    const box = await frame.boundingBox();
    check(box && Math.round(box.width) === 375, `the preview is ${box && box.width}px wide`);
    const inner = page.frameLocator('iframe[title="Delivery preview"]');
    await inner.getByText(`Dear ${TEST_NAME}`).waitFor();
    const subject = await page.getByTestId('preview-subject').innerText();
    check(subject === `Hello ${TEST_NAME}`, `the preview subject is "${subject}"`);
    await shot('74-delivery-preview-mobile');
  });

  await step('a proof to the test profile, listed', async () => {
    await chooseOption('Proof recipients (test profiles)', new RegExp(TEST_NAME));
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Send proof' }).click();
    await page.getByTestId('proofs').locator('tr[data-proof="1"]').waitFor({ timeout: 20_000 });
    const row = await page.getByTestId('proofs').locator('tr[data-proof="1"]').innerText();
    check(row.includes(TEST_EMAIL) && /\bsent\b/i.test(row), `the proof row reads: ${row}`);
    if (MAILDIR_ROOT) {
      const dir = path.join(MAILDIR_ROOT, FOLDER, 'new');
      const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
      check(files.length === 1, `${dir} holds ${files.length} messages`);
      const mail = fs.readFileSync(path.join(dir, files[0]), 'utf8');
      check(/^Subject: .*\[Proof 1\]/m.test(mail) || mail.includes('[Proof 1]'), 'the proof has no "[Proof 1]" subject');
      log(`  proof file ${path.join(dir, files[0])}`);
    }
    await page.waitForTimeout(300);
    await shot('75-delivery-proof');
  });

  await step('Prepare: progress, then ready with the report', async () => {
    await openStep('Prepare');
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/deliveries/${ids.delivery}/prepare`));
    await page.getByRole('button', { name: 'Prepare', exact: true }).click();
    const res = await answered;
    check(res.ok(), `POST …/prepare answered ${res.status()}: ${await res.text()}`);
    // Ready, or back in draft with blocking errors.
    const errors = page.getByTestId('preparation-errors');
    const until = Date.now() + 30_000;
    let state = '';
    let shotPreparing = false;
    while (Date.now() < until) {
      state = (await page.getByTestId('delivery-state').getAttribute('data-state')) || '';
      if (state === 'ready') break;
      if (state === 'preparing' && !shotPreparing && (await page.getByTestId('preparing').count())) {
        shotPreparing = true;
        await shot('76-delivery-preparing');
      }
      if (state === 'draft' && (await errors.count())) {
        throw new E2eFailure(`the preparation went back to draft: ${(await errors.innerText()).replace(/\s+/g, ' ')}`);
      }
      await page.waitForTimeout(300);
    }
    check(state === 'ready', `the delivery is "${state}" 30 s after "Prepare"`);
    const report = page.getByTestId('preparation-report');
    await report.waitFor();
    const text = await report.innerText();
    check(/Target\s*4\b/i.test(text) && /To send\s*3\b/i.test(text) && /Excluded\s*1\b/i.test(text), `the report reads: ${text.replace(/\s+/g, ' ')}`);
    const cause = await report.locator('tr[data-cause="opted_out"]').innerText();
    check(/Opted out of email\s+1$/.test(cause.trim()), `the opted-out row reads: ${cause}`);
    await page.getByTestId('exclusion-chart').waitFor();
    await shot('76-delivery-prepared');
  });

  if (STOP_AFTER === 'prepare') {
    log('stopping after "prepare" (OVERTURE_E2E_STOP_AFTER)');
    return;
  }

  await step('Confirm: the send is scheduled', async () => {
    await openStep('Confirm');
    await page.getByRole('button', { name: 'Confirm the send' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Confirm and send' }).click();
    await page.getByTestId('dashboard').waitFor();
    await shot('77-delivery-confirmed');
  });

  await step('the dashboard follows the send until "finished"', async () => {
    await waitForState(['finished', 'failed', 'stopped'], 60_000);
    const state = await waitForState(['finished'], 1000);
    check(state === 'finished', `the delivery ended ${state}`);
    const sent = await page.getByTestId('counter-sent').innerText();
    check(/\b3\b/.test(sent), `the sent counter reads ${sent}`);
    await shot('78-delivery-finished');
  });

  await step('the sending log shows the three profiles sent and the opted-out one ignored', async () => {
    const log_ = page.getByRole('table', { name: 'Sending log' });
    for (const id of ids.profiles) await log_.locator(`tr[data-profile="${id}"]`).filter({ hasText: 'sent' }).waitFor();
    await log_.locator(`tr[data-profile="${ids.optedOut}"]`).filter({ hasText: 'ignored' }).waitFor();
    await log_.scrollIntoViewIfNeeded();
    await shot('79-delivery-log');
  });

  await step("the profile's sending history lists the delivery", async () => {
    await page.goto(`/profiles/${ids.profiles[0]}`);
    await page.getByRole('table', { name: 'Sending history' }).locator(`tr[data-delivery="${ids.delivery}"]`).waitFor();
    await shot('80-profile-history');
  });

  await step('Messages: the list filtered on "Finished" shows the delivery with its counters', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Messages' }).click();
    await page.getByRole('textbox', { name: 'State', exact: true }).click();
    await page.getByRole('option', { name: 'Finished' }).click();
    await page.keyboard.press('Escape');
    const row = page.getByRole('table', { name: 'Deliveries' }).locator(`tr[data-delivery="${ids.delivery}"]`);
    await row.waitFor();
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    check(text.includes(LABEL) && /finished/i.test(text) && text.includes('Hello {{ profile.firstName }}'), `the row reads: ${text}`);
    await shot('81-messages-list');
  });

  await step('Messages > Content fragments: a footer created in the code editor, listed', async () => {
    await page.getByRole('link', { name: 'Content fragments' }).click();
    await page.waitForURL(/\/messages\/fragments$/);
    await page.getByRole('table', { name: 'Content fragments' }).waitFor();
    await page.getByRole('button', { name: 'New fragment' }).click();
    const dialog = page.getByRole('dialog', { name: 'New content fragment' });
    await dialog.waitFor();
    await dialog.getByLabel(/^Name\b/).fill(`footer-${TAG}`);
    await dialog.getByLabel(/^Label\b/).fill(`Footer ${TAG}`);
    await dialog.locator('.cm-content').click();
    // Plain text: the editor closes tags and brackets as one types.
    await page.keyboard.type('Shop Inc., 1 Main Street');
    await submitDialog(dialog, 'Create');
    const row = page.getByRole('table', { name: 'Content fragments' }).locator(`tr[data-fragment="footer-${TAG}"]`);
    await row.waitFor();
    const text = (await row.innerText()).replace(/\s+/g, ' ');
    check(text.includes(`{% include "footer-${TAG}" %}`), `the row reads: ${text}`);
    await shot('83-fragments');
  });

  await step(`a marketer (${MARKETER}) prepares a copy but cannot confirm it: the button says why`, async () => {
    const made = await api.send('POST', '/api/v1/users', { username: MARKETER, password: MARKETER_PASSWORD, role: 'marketer' });
    check(made.status === 201, `POST /users answered ${made.status}: ${made.text}`);
    const copy = await api.send('POST', '/api/v1/deliveries', { label: `${LABEL} (marketer)`, fromDelivery: ids.delivery });
    check(copy.status === 201, `POST /deliveries answered ${copy.status}: ${copy.text}`);
    ids.copy = copy.json.id;
    await logout();
    await login(MARKETER, MARKETER_PASSWORD);
    await page.goto(`/messages/${ids.copy}`);
    await openStep('Prepare');
    await page.getByRole('button', { name: 'Prepare', exact: true }).click();
    await waitForState(['ready'], 30_000);
    await openStep('Confirm');
    const confirm = page.getByRole('button', { name: 'Confirm the send' });
    check(await confirm.isDisabled(), 'a marketer may press "Confirm the send"');
    const why = await page.getByTestId('confirm-why').innerText();
    check(/supervisor or an administrator/.test(why), `the reason reads: ${why}`);
    await shot('82-delivery-marketer-cannot-confirm');
  });
}

run(main, { timeoutMs: RUN_TIMEOUT_MS });
