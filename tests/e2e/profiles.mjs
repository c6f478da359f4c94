#!/usr/bin/env node
// End-to-end test of Profiles & audiences and of the data model editor, driving Debian's Chromium
// through playwright-core (same settings as run.mjs).
//
//   OVERTURE_URL             base URL of a running server (default http://127.0.0.1:8080)
//   OVERTURE_ADMIN_PASSWORD  password of the `admin` account (required)
//   OVERTURE_E2E_OUT         folder for the PNG screenshots (default <repo>/build/e2e)
//   OVERTURE_CHROMIUM        browser binary (default /usr/bin/chromium)
//
// Flow: admin logs in; Administration > Data model > Profile: adds the custom field loyaltyTier
// (enumeration bronze / gold) to the draft, reviews the dry run's SQL and publishes; Profiles &
// audiences: creates a profile with loyaltyTier gold through "New profile", opens it and checks
// the value; shows the field as a column of the list (column chooser). Screenshots 10-… to 17-….
// Needs a database where profile has no loyaltyTier field yet (a fresh one). Exits 0 on success;
// on failure prints the step, saves failure.png and exits 1.

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
const BASE = (process.env.OVERTURE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
const ADMIN_PASSWORD = process.env.OVERTURE_ADMIN_PASSWORD;
const OUT = path.resolve(process.env.OVERTURE_E2E_OUT || path.join(REPO, 'build', 'e2e'));
const CHROMIUM = process.env.OVERTURE_CHROMIUM || '/usr/bin/chromium';
const RUN_TIMEOUT_MS = 110_000;
const STEP_TIMEOUT_MS = 15_000;
const EMAIL = `gold.${Date.now().toString(36)}@example.com`;

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
  if (outcome === 'refused') throw new E2eFailure(`login as ${username} refused`);
}

/** Submits a modal form; if it shows an error alert instead of closing, fails with its text. */
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
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: BASE });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(20_000);
    page.on('pageerror', (e) => browserErrors.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && browserErrors.push(`console: ${m.text()}`));
    page.on('response', (r) => r.status() >= 500 && browserErrors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
  });

  await step('log in as admin', async () => {
    const res = await page.goto('/');
    check(res && res.ok(), `GET ${BASE}/ answered ${res ? res.status() : 'nothing'}`);
    await login('admin', ADMIN_PASSWORD);
    await page.getByTestId('current-role').filter({ hasText: 'Administrator' }).waitFor();
  });

  await step('Administration > Data model lists the built-in resources', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('tab', { name: 'Data model' }).click();
    await page.waitForURL(/\/admin\/data-model$/);
    const table = page.getByRole('table', { name: 'Resources' });
    await table.locator('tr[data-resource="profile"]').waitFor();
    check(await table.locator('tr[data-resource="quarantine"]').count() === 1, 'quarantine is not listed');
    await shot('10-data-model');
  });

  await step('Profile: add the custom field loyaltyTier (bronze / gold) to the draft', async () => {
    await page.getByRole('table', { name: 'Resources' }).getByRole('link', { name: 'Profile', exact: true }).click();
    await page.waitForURL(/\/admin\/data-model\/profile$/);
    await page.getByRole('table', { name: 'Fields' }).locator('tr[data-field="email"]').waitFor();
    check(await page.locator('tr[data-field="loyaltyTier"]').count() === 0, 'profile already has loyaltyTier: use a fresh database');
    await page.getByRole('button', { name: 'Add field' }).click();
    const dialog = page.getByRole('dialog', { name: 'New field in Profile' });
    await dialog.waitFor();
    await dialog.getByLabel(/^Name\b/).fill('loyaltyTier');
    await dialog.getByLabel('Label', { exact: true }).fill('Loyalty tier');
    await dialog.getByLabel('Type', { exact: true }).selectOption('enum');
    await dialog.getByLabel('Value 1', { exact: true }).fill('bronze');
    await dialog.getByLabel('Label of value 1', { exact: true }).fill('Bronze');
    await dialog.getByRole('button', { name: 'Add a value' }).click();
    await dialog.getByLabel('Value 2', { exact: true }).fill('gold');
    await dialog.getByLabel('Label of value 2', { exact: true }).fill('Gold');
    await submitDialog(dialog, 'Add to draft');
    await page.locator('tr[data-field="loyaltyTier"]').waitFor();
    await page.getByTestId('draft-banner').filter({ hasText: 'New field profile.loyaltyTier' }).waitFor();
    await shot('11-field-in-draft');
  });

  await step('Review & publish: the dry run shows the SQL, then publish', async () => {
    await page.getByRole('button', { name: 'Review & publish' }).click();
    const dialog = page.getByRole('dialog', { name: 'Review & publish the data model' });
    const sql = dialog.getByTestId('publish-sql');
    await sql.waitFor();
    const text = await sql.innerText();
    check(/ALTER TABLE "profiles" ADD COLUMN "x_loyalty_tier"/.test(text), `the SQL does not add the column: ${text}`);
    await page.waitForTimeout(400); // the modal's opening transition
    await shot('12-publish-review-sql');
    await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByText(/Data model published \(version \d+\)/).waitFor();
    check(await page.getByTestId('draft-banner').count() === 0, 'the draft banner is still shown after publishing');
    const row = page.locator('tr[data-field="loyaltyTier"]');
    await row.getByText('Custom', { exact: true }).waitFor();
    await shot('13-published');
  });

  await step(`Profiles & audiences: create ${EMAIL} with loyalty tier Gold`, async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Profiles & audiences' }).click();
    await page.waitForURL(/\/audiences\/profiles$/);
    await page.getByRole('table', { name: 'Profiles' }).waitFor();
    await page.getByRole('button', { name: 'New profile' }).click();
    const dialog = page.getByRole('dialog', { name: 'New profile' });
    await dialog.waitFor();
    await dialog.getByLabel('Email', { exact: true }).fill(EMAIL);
    await dialog.getByLabel('First name', { exact: true }).fill('Goldie');
    await dialog.getByLabel('Last name', { exact: true }).fill('Hawn');
    await dialog.getByLabel('Country', { exact: true }).fill('fr');
    await dialog.getByLabel('Loyalty tier', { exact: true }).selectOption('gold');
    await dialog.getByLabel('Loyalty tier', { exact: true }).scrollIntoViewIfNeeded();
    await shot('14-new-profile-form');
    await submitDialog(dialog, 'Create profile');
    await page.waitForURL(/\/profiles\/\d+$/);
  });

  await step('the profile page shows loyalty tier Gold among the custom fields', async () => {
    await page.getByRole('heading', { name: 'Goldie Hawn' }).waitFor();
    const custom = page.locator('[data-group="custom"]');
    await custom.getByRole('heading', { name: 'Custom fields' }).waitFor();
    const tier = custom.getByLabel('Loyalty tier', { exact: true });
    check((await tier.inputValue()) === 'gold', `loyalty tier is ${await tier.inputValue()}, not gold`);
    const shown = await tier.locator('option:checked').innerText();
    check(shown === 'Gold', `the select shows ${shown}, not Gold`);
    const country = await page.getByLabel('Country', { exact: true }).inputValue();
    check(country === 'FR', `country is ${country}, not FR (normalised by the server)`);
    await page.getByText('Sending history').waitFor();
    await shot('15-profile-detail');
  });

  await step('the list shows Loyalty tier as a column (column chooser), and the profile opens from it', async () => {
    await page.getByRole('link', { name: 'Profiles', exact: true }).first().click();
    await page.waitForURL(/\/audiences\/profiles$/);
    await page.getByRole('button', { name: /^Columns/ }).click();
    await page.getByRole('checkbox', { name: /Loyalty tier/ }).check();
    await page.getByRole('button', { name: /^Columns/ }).click();
    await page.getByRole('checkbox', { name: /Loyalty tier/ }).waitFor({ state: 'hidden' });
    const table = page.getByRole('table', { name: 'Profiles' });
    await table.getByRole('columnheader', { name: /Loyalty tier/ }).waitFor();
    const row = table.getByRole('row').filter({ hasText: EMAIL });
    await row.getByText('Gold', { exact: true }).waitFor();
    await page.getByText(/^\d[\d,]* profiles?\b/).waitFor();
    await shot('16-profiles-list-with-column');
    await page.reload();
    await table.getByRole('columnheader', { name: /Loyalty tier/ }).waitFor(); // remembered in localStorage
    await row.getByRole('link').first().click();
    await page.waitForURL(/\/profiles\/\d+$/);
    await page.getByRole('heading', { name: 'Goldie Hawn' }).waitFor();
    await shot('17-profile-opened-from-list');
  });

  await step('log out', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel(/^Username\b/).waitFor();
  });
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
