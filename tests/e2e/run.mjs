#!/usr/bin/env node
// End-to-end test of the Overture web UI, driving Debian's Chromium through playwright-core.
//
//   OVERTURE_URL             base URL of a running server (default http://127.0.0.1:8080)
//   OVERTURE_ADMIN_PASSWORD  password of the `admin` account (required)
//   OVERTURE_E2E_OUT         folder for the PNG screenshots (default <repo>/build/e2e)
//   OVERTURE_E2E_USER        user created by the test (default marketer1; must not exist yet)
//   OVERTURE_CHROMIUM        browser binary (default /usr/bin/chromium)
//
// Flow: admin logs in, creates a marketer through Administration > Users, creates and revokes
// an API key, looks at the audit trail, logs out; the marketer logs in and is refused
// Administration > Users. Exits 0 on success; on any failure prints the failed step, saves
// failure.png and exits 1. The whole run is bounded (RUN_TIMEOUT_MS).

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const BASE = (process.env.OVERTURE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const ADMIN_PASSWORD = process.env.OVERTURE_ADMIN_PASSWORD;
const OUT = path.resolve(process.env.OVERTURE_E2E_OUT || path.join(REPO, 'build', 'e2e'));
const NEW_USER = process.env.OVERTURE_E2E_USER || 'marketer1';
const NEW_USER_PASSWORD = `${NEW_USER}-e2e-Passw0rd`;
const CHROMIUM = process.env.OVERTURE_CHROMIUM || '/usr/bin/chromium';
const RUN_TIMEOUT_MS = 110_000;
const STEP_TIMEOUT_MS = 15_000;

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

if (!ADMIN_PASSWORD) {
  console.error('e2e: set OVERTURE_ADMIN_PASSWORD to the password of the admin account');
  process.exit(2);
}
fs.mkdirSync(OUT, { recursive: true });

const started = Date.now();
const log = (msg) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
const browserErrors = [];
let browser;
let page;
let currentStep = 'start';

async function step(name, fn) {
  currentStep = name;
  log(name);
  await fn();
}

async function shot(name) {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`  screenshot ${file}`);
}

class E2eFailure extends Error {}
function check(cond, message) {
  if (!cond) throw new E2eFailure(message);
}

// Labels of required fields end with Mantine's " *" asterisk, hence /^Label\b/ rather than exact text.
async function login(username, password) {
  const username_ = page.getByLabel(/^Username\b/);
  await username_.waitFor();
  await username_.fill(username);
  await page.getByLabel(/^Password\b/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const outcome = await Promise.race([
    page.getByRole('button', { name: 'Log out' }).waitFor().then(() => 'in'),
    page.getByRole('alert').filter({ hasText: 'Sign-in failed' }).waitFor().then(() => 'refused'),
  ]);
  if (outcome === 'refused') {
    const text = await page.getByRole('alert').filter({ hasText: 'Sign-in failed' }).innerText();
    throw new E2eFailure(`login as ${username} refused: ${text.replace(/\s+/g, ' ')}`);
  }
}

async function openAdmin(tab) {
  await page.getByRole('navigation').getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('tab', { name: tab }).click();
  await page.waitForURL(/\/admin\//);
}

async function logout() {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel(/^Username\b/).waitFor();
}

/** Waits for a modal form to close; if it shows an error alert instead, fails with its text. */
async function submitDialog(dialog, buttonName) {
  await dialog.getByRole('button', { name: buttonName }).click();
  const outcome = await Promise.race([
    dialog.waitFor({ state: 'hidden' }).then(() => 'closed'),
    dialog.getByRole('alert').waitFor().then(() => 'error'),
  ]);
  if (outcome === 'error') {
    const text = (await dialog.getByRole('alert').innerText()).trim().replace(/\s*\n\s*/g, ': ');
    throw new E2eFailure(`"${buttonName}" failed: ${text}`);
  }
}

async function main() {
  await step(`launch ${CHROMIUM} (fresh profile), base ${BASE}`, async () => {
    // launch() runs the browser on a new temporary profile directory and deletes it on close.
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: BASE });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(20_000);
    page.on('pageerror', (e) => browserErrors.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && browserErrors.push(`console: ${m.text()}`));
    page.on('response', (r) => r.status() >= 500 && browserErrors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
  });

  await step('open the app: not logged in, so the login page shows', async () => {
    const res = await page.goto('/');
    check(res && res.ok(), `GET ${BASE}/ answered ${res ? res.status() : 'nothing'}`);
    await page.getByLabel(/^Username\b/).waitFor();
    check(page.url().endsWith('/login'), `expected /login, got ${page.url()}`);
    await shot('00-login');
  });

  await step('log in as admin', async () => {
    await login('admin', ADMIN_PASSWORD);
    await page.getByRole('heading', { name: /^Welcome/ }).waitFor();
    await page.getByTestId('current-role').filter({ hasText: 'Administrator' }).waitFor();
    await shot('01-admin-home');
  });

  await step('Administration > Users lists the admin account', async () => {
    await openAdmin('Users');
    await page.getByRole('table', { name: 'Users' }).locator('tr[data-username="admin"]').waitFor();
  });

  await step(`create user ${NEW_USER} (marketer) through the New user modal`, async () => {
    await page.getByRole('button', { name: 'New user' }).click();
    const dialog = page.getByRole('dialog', { name: 'New user' });
    await dialog.waitFor();
    await dialog.getByLabel(/^Username\b/).fill(NEW_USER);
    await dialog.getByLabel('Display name', { exact: true }).fill('Marketer One (e2e)');
    await dialog.getByLabel(/^Role\b/).selectOption('marketer');
    await dialog.getByLabel(/^Password\b/).fill(NEW_USER_PASSWORD);
    await submitDialog(dialog, 'Create user');
    const row = page.getByRole('table', { name: 'Users' }).locator(`tr[data-username="${NEW_USER}"]`);
    await row.waitFor();
    const role = await row.getByLabel(`Role of ${NEW_USER}`, { exact: true }).inputValue();
    check(role === 'marketer', `${NEW_USER} was created with role ${role}, not marketer`);
    await page.getByRole('button', { name: 'New user' }).focus(); // no hover highlight in the screenshot
    await shot('02-admin-users-created');
  });

  await step('API keys: create one (secret shown once), then revoke it after confirming', async () => {
    await openAdmin('API keys');
    await page.getByRole('button', { name: 'New API key' }).click();
    const dialog = page.getByRole('dialog', { name: 'New API key' });
    await dialog.getByLabel(/^Key name\b/).fill('e2e key');
    await dialog.getByLabel('Write', { exact: true }).check();
    await submitDialog(dialog, 'Create key');
    const secretDialog = page.getByRole('dialog', { name: /created$/ });
    await secretDialog.getByText('This secret will not be shown again', { exact: false }).waitFor();
    const secret = await secretDialog.getByLabel('Secret', { exact: true }).inputValue();
    check(secret.startsWith('ovk_'), `the secret shown does not start with ovk_: ${JSON.stringify(secret.slice(0, 8))}`);
    await shot('03-api-key-secret');
    await secretDialog.getByRole('button', { name: 'I have stored it' }).click();
    await secretDialog.waitFor({ state: 'hidden' });
    const table = page.getByRole('table', { name: 'API keys' });
    const row = table.getByRole('row').filter({ hasText: 'e2e key' }).filter({ hasText: 'Active' }).first();
    await row.getByRole('button', { name: 'Revoke e2e key' }).click();
    const confirm = page.getByRole('dialog', { name: /^Revoke/ });
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await table.getByRole('row').filter({ hasText: 'e2e key' }).filter({ hasText: 'Revoked' }).first().waitFor();
    await shot('04-api-keys-revoked');
  });

  await step('Audit trail shows the user creation', async () => {
    await openAdmin('Audit trail');
    const table = page.getByRole('table', { name: 'Audit trail' });
    // The list may first show what the query cache held; wait for the fresh rows.
    try {
      await table.getByText(NEW_USER).first().waitFor({ timeout: 15000 });
    } catch {
      check(false, `the audit trail does not mention ${NEW_USER}`);
    }
    await shot('05-admin-audit');
  });

  await step('log out', logout);

  await step(`log in as ${NEW_USER}`, async () => {
    await login(NEW_USER, NEW_USER_PASSWORD);
    await page.getByTestId('current-role').filter({ hasText: 'Marketer' }).waitFor();
  });

  await step(`${NEW_USER} opens Administration > Users and is refused`, async () => {
    await openAdmin('Users');
    const alert = page.getByRole('alert').filter({ hasText: 'Access refused' });
    await alert.waitFor();
    check(await alert.isVisible(), 'the "Access refused" alert is not visible');
    check((await page.getByRole('table', { name: 'Users' }).count()) === 0, 'the users table is shown to a marketer');
    await shot('06-marketer-access-refused');
  });

  await step('log out', logout);
}

const watchdog = setTimeout(async () => {
  console.error(`e2e: FAILED: the run took longer than ${RUN_TIMEOUT_MS / 1000}s (at step: ${currentStep})`);
  await saveFailure();
  process.exit(1);
}, RUN_TIMEOUT_MS);

async function saveFailure() {
  if (!page) return;
  try {
    const file = path.join(OUT, 'failure.png');
    await page.screenshot({ path: file, fullPage: true, timeout: 5_000 });
    console.error(`e2e: failure screenshot ${file} (page ${page.url()})`);
  } catch (e) {
    console.error(`e2e: could not save a failure screenshot: ${e.message}`);
  }
}

let code = 0;
try {
  fs.rmSync(path.join(OUT, 'failure.png'), { force: true });
  await main();
  log(`PASSED (screenshots in ${OUT})`);
} catch (e) {
  code = 1;
  const message = e instanceof E2eFailure ? e.message : (e && e.message ? e.message.split('\n')[0] : String(e));
  console.error(`e2e: FAILED at step "${currentStep}": ${message}`);
  if (browserErrors.length) console.error(`e2e: browser reported:\n  ${browserErrors.slice(-10).join('\n  ')}`);
  await saveFailure();
} finally {
  clearTimeout(watchdog);
  if (browser) await browser.close().catch(() => undefined);
}
process.exit(code);
