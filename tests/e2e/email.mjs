#!/usr/bin/env node
// End-to-end test of the email channel's administration pages (Administration > Routes, DKIM keys,
// Bounces), driving Debian's Chromium through playwright-core (same settings as run.mjs).
//
//   OVERTURE_URL, OVERTURE_ADMIN_PASSWORD (required), OVERTURE_E2E_OUT, OVERTURE_CHROMIUM:
//                            see lib.mjs (the set-up shared by the e2e scripts)
//
// The server must let maildir routes write somewhere (email.maildir_root, OVERTURE_EMAIL_MAILDIR_ROOT;
// scripts/e2e.sh points it at a temporary folder).
// Flow: admin logs in; Routes: New route, a maildir route (50), the list shows it (51); Test
// connection answers "ok" (52); a bad folder shows the server's error next to the Folder field (53);
// DKIM keys: Generate key, Ed25519, the details show the DNS name and the TXT record (54, 55);
// Bounces: Add rule (56), the rule heads the list before the built-in ones (shown on request), "Try a reply" with a
// reply it matches shows its outcome and reason (57); a marketer made through the API sees the
// routes and keys without any button that changes them (58). Screenshots 50-… to 58-….
// Uses fresh names on every run, so it runs on a database where the other scripts ran; exits 0 on
// success; on failure prints the step, saves failure.png and exits 1.

import { check, launch, login, logInAsAdmin, logout, page, run, sessionApi, shot, step, submitDialog } from './lib.mjs';

const RUN_TIMEOUT_MS = 120_000;
const TAG = Date.now().toString(36);
const ROUTE = `e2e-maildir-${TAG}`;
const FOLDER = `e2e/${TAG}`;
const DOMAIN = `e2e-${TAG}.example.com`;
const SELECTOR = `e2e-${TAG}`;
const RULE = `e2e rule ${TAG}`;
const REASON = `e2e_${TAG}`;
const REPLY = `550 5.7.1 Message refused: overture-e2e-${TAG} matched`;
const MARKETER = `mkt-${TAG}`;
const MARKETER_PASSWORD = `${MARKETER}-e2e-Passw0rd`;

async function openAdminTab(tab, path) {
  await page.getByRole('navigation').getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('tab', { name: tab }).click();
  await page.waitForURL(new RegExp(`/admin/${path}$`));
}

async function main() {
  await launch();

  await step('log in as admin', logInAsAdmin);

  await step(`Administration > Routes: create the maildir route ${ROUTE}`, async () => {
    await openAdminTab('Routes', 'routes');
    await page.getByRole('table', { name: 'Routes' }).waitFor();
    await page.getByRole('button', { name: 'New route' }).click();
    const dialog = page.getByRole('dialog', { name: 'New route' });
    await dialog.waitFor();
    await dialog.getByLabel('Label', { exact: true }).fill(`E2E maildir ${TAG}`);
    await dialog.getByLabel(/^Name\b/).fill(ROUTE);
    await dialog.getByText('Maildir folder', { exact: true }).click();
    await dialog.getByLabel(/^Folder\b/).fill(FOLDER);
    await page.waitForTimeout(300); // the modal's opening transition
    await shot('50-route-new');
    await submitDialog(dialog, 'Create route');
    const row = page.getByRole('table', { name: 'Routes' }).locator(`tr[data-route="${ROUTE}"]`);
    await row.waitFor();
    const text = await row.innerText();
    check(text.includes(FOLDER) && /maildir/i.test(text), `the route's row reads: ${text}`);
    await shot('51-routes');
  });

  await step('Test connection of the route answers ok', async () => {
    await page.getByRole('button', { name: `Test connection of ${ROUTE}` }).click();
    const result = page.getByTestId('route-test-result');
    await result.waitFor();
    const ok = await result.getAttribute('data-ok');
    const text = (await result.innerText()).replace(/\s+/g, ' ');
    check(ok === 'true', `the test failed: ${text}`);
    check(/\bok\b/i.test(text), `the result does not say ok: ${text}`);
    await page.waitForTimeout(300);
    await shot('52-route-test');
    await page.keyboard.press('Escape');
    await result.waitFor({ state: 'hidden' });
  });

  await step('a folder outside the maildir root shows the error next to the Folder field', async () => {
    await page.getByRole('button', { name: `Edit ${ROUTE}` }).click();
    const dialog = page.getByRole('dialog', { name: `Edit route “${ROUTE}”` });
    await dialog.waitFor();
    await dialog.getByLabel(/^Folder\b/).fill('../outside');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.getByRole('alert').waitFor();
    const field = dialog.getByLabel(/^Folder\b/);
    check((await field.getAttribute('aria-invalid')) === 'true', 'the Folder field is not marked invalid');
    await page.waitForTimeout(200);
    await shot('53-route-field-error');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
  });

  await step(`DKIM keys: generate an Ed25519 key for ${DOMAIN}`, async () => {
    await page.getByRole('tab', { name: 'DKIM keys' }).click();
    await page.waitForURL(/\/admin\/dkim-keys$/);
    await page.getByRole('button', { name: 'Generate key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Generate a DKIM key' });
    await dialog.waitFor();
    const suggested = await dialog.getByLabel(/^Selector\b/).inputValue();
    check(/^\d{4}-\d{2}$/.test(suggested), `the selector suggestion is "${suggested}", expected the year and month`);
    await dialog.getByLabel(/^Domain\b/).fill(DOMAIN);
    await dialog.getByLabel(/^Selector\b/).fill(SELECTOR);
    await dialog.getByText('Ed25519 (recommended)').click();
    await page.waitForTimeout(300);
    await shot('54-dkim-generate');
    await submitDialog(dialog, 'Generate key');
  });

  await step('the new key shows its DNS name and TXT record', async () => {
    const details = page.getByRole('dialog', { name: `DKIM key ${SELECTOR} of ${DOMAIN}` });
    await details.waitFor();
    const name = (await details.getByTestId('dkim-dns-name').innerText()).trim();
    const record = (await details.getByTestId('dkim-txt-record').innerText()).trim();
    const zone = (await details.getByTestId('dkim-zone-line').innerText()).trim();
    check(name === `${SELECTOR}._domainkey.${DOMAIN}`, `DNS name "${name}"`);
    check(/^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/.test(record), `TXT record "${record}"`);
    check(zone === `${name}. IN TXT "${record}"`, `zone file line "${zone}"`);
    await page.waitForTimeout(300);
    await shot('55-dkim-record');
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'DKIM keys' }).locator(`tr[data-key="${name}"]`).waitFor();
  });

  await step(`Bounces: add the rule "${RULE}"`, async () => {
    await page.getByRole('tab', { name: 'Bounces' }).click();
    await page.waitForURL(/\/admin\/bounces$/);
    const rules = page.getByRole('table', { name: 'Classification rules' });
    await page.getByRole('button', { name: /^Show the \d+ built-in rules$/ }).click();
    await rules.locator('tr[data-builtin="true"]').first().waitFor();
    await page.getByRole('button', { name: 'Add rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'New classification rule' });
    await dialog.waitFor();
    await dialog.getByLabel(/^Name\b/).fill(RULE);
    await dialog.getByLabel(/^Reply code\b/).fill('5');
    await dialog.getByLabel(/^Text pattern\b/).fill(`overture-e2e-${TAG}`);
    await dialog.getByLabel(/^Outcome\b/).selectOption('ignored');
    await dialog.getByLabel(/^Reason\b/).fill(REASON);
    await page.waitForTimeout(200);
    await shot('56-bounce-rule');
    await submitDialog(dialog, 'Add rule');
    const row = rules.locator(`tr[data-rule="${RULE}"]`);
    await row.waitFor();
    check((await row.getAttribute('data-builtin')) === 'false', 'the new rule is marked built-in');
    // The administrator's rules come before every built-in one.
    const order = await rules.locator('tbody tr[data-rule]').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-builtin')));
    check(order.indexOf('true') > order.lastIndexOf('false'), `built-in rules are mixed with the administrator's: ${order.join(',')}`);
  });

  await step('Try a reply: the new rule classifies it', async () => {
    const box = page.getByRole('form', { name: 'Try a reply' });
    await box.getByLabel('Reply', { exact: true }).fill(REPLY);
    await box.getByRole('button', { name: 'Classify' }).click();
    const result = page.getByTestId('classification');
    await result.waitFor();
    const outcome = await result.getAttribute('data-outcome');
    const reason = await result.getAttribute('data-reason');
    check(outcome === 'ignored' && reason === REASON, `classified as ${outcome} / ${reason}, expected ignored / ${REASON}`);
    await shot('57-bounce-classify');
  });

  await step(`a marketer (${MARKETER}) reads routes and keys but may not change them`, async () => {
    const api = await sessionApi();
    const made = await api.send('POST', '/api/v1/users', { username: MARKETER, password: MARKETER_PASSWORD, role: 'marketer' });
    check(made.status === 201, `POST /api/v1/users answered ${made.status}: ${made.text}`);
    await logout();
    await login(MARKETER, MARKETER_PASSWORD);
    await openAdminTab('Routes', 'routes');
    await page.getByRole('table', { name: 'Routes' }).locator(`tr[data-route="${ROUTE}"]`).waitFor();
    check(await page.getByRole('button', { name: 'New route' }).count() === 0, 'a marketer sees "New route"');
    check(await page.getByRole('button', { name: `Delete ${ROUTE}` }).count() === 0, 'a marketer sees "Delete"');
    check(await page.getByRole('button', { name: `Test connection of ${ROUTE}` }).count() === 0, 'a marketer sees "Test connection"');
    await shot('58-routes-marketer');
    await page.getByRole('tab', { name: 'DKIM keys' }).click();
    await page.getByRole('table', { name: 'DKIM keys' }).locator(`tr[data-key="${SELECTOR}._domainkey.${DOMAIN}"]`).waitFor();
    check(await page.getByRole('button', { name: 'Generate key' }).count() === 0, 'a marketer sees "Generate key"');
    await page.getByRole('tab', { name: 'Bounces' }).click();
    await page.getByRole('table', { name: 'Classification rules' }).locator(`tr[data-rule="${RULE}"]`).waitFor();
    check(await page.getByRole('button', { name: 'Add rule' }).count() === 0, 'a marketer sees "Add rule"');
    await logout();
  });
}

await run(main, { timeoutMs: RUN_TIMEOUT_MS });
