// Shared set-up of the end-to-end scripts (run.mjs, profiles.mjs, import.mjs, audiences.mjs): the environment,
// the Chromium launch, the step()/check()/shot() helpers, login and logout, the browser's console
// errors and the failure screenshot. One script runs per process: `page` is that run's page.
//
//   OVERTURE_URL             base URL of a running server (default http://127.0.0.1:8080)
//   OVERTURE_ADMIN_PASSWORD  password of the `admin` account (required; exit 2 without it)
//   OVERTURE_E2E_OUT         folder for the PNG screenshots (default <repo>/build/e2e)
//   OVERTURE_CHROMIUM        browser binary (default /usr/bin/chromium)

import { chromium } from 'playwright-core';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..', '..');
export const BASE = (process.env.OVERTURE_URL || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const ADMIN_PASSWORD = process.env.OVERTURE_ADMIN_PASSWORD;
export const OUT = path.resolve(process.env.OVERTURE_E2E_OUT || path.join(REPO, 'build', 'e2e'));
const CHROMIUM = process.env.OVERTURE_CHROMIUM || '/usr/bin/chromium';
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
export const log = (msg) => console.log(`[e2e ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
const browserErrors = [];
let browser;
/** The page of the run, set by launch(). */
export let page;
let currentStep = 'start';

export async function step(name, fn) {
  currentStep = name;
  log(name);
  await fn();
}

export async function shot(name) {
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`  screenshot ${file}`);
}

/** A failed expectation: reported by its message alone (other errors by their first line). */
export class E2eFailure extends Error {}
export function check(cond, message) {
  if (!cond) throw new E2eFailure(message);
}

/**
 * The first step of every script: Chromium on a fresh temporary profile (launch() creates it and
 * deletes it on close), one page on BASE that records page errors, console errors and 5xx answers.
 * `contextOptions` are merged into the browser context's (viewport 1280x800 by default).
 */
export async function launch(contextOptions = {}) {
  await step(`launch ${CHROMIUM} (fresh profile), base ${BASE}`, async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: BASE, ...contextOptions });
    page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(20_000);
    page.on('pageerror', (e) => browserErrors.push(`page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && browserErrors.push(`console: ${m.text()}`));
    page.on('response', (r) => r.status() >= 500 && browserErrors.push(`HTTP ${r.status()} ${r.request().method()} ${r.url()}`));
  });
}

// Labels of required fields end with Mantine's " *" asterisk, hence /^Label\b/ rather than exact text.
export async function login(username, password) {
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

/** Opens the app and logs in as admin (the body of the "log in as admin" step). */
export async function logInAsAdmin() {
  const res = await page.goto('/');
  check(res && res.ok(), `GET ${BASE}/ answered ${res ? res.status() : 'nothing'}`);
  await login('admin', ADMIN_PASSWORD);
  await page.getByTestId('current-role').filter({ hasText: 'Administrator' }).waitFor();
}

export async function logout() {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.getByLabel(/^Username\b/).waitFor();
}

/** Submits a modal form; if it shows an error alert instead of closing, fails with its text. */
export async function submitDialog(dialog, buttonName) {
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

/** Administration > Data model (the list of resources). */
export async function openDataModel() {
  await page.getByRole('navigation').getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('tab', { name: 'Data model' }).click();
  await page.waitForURL(/\/admin\/data-model$/);
}

/**
 * From the data model's list of resources: opens Profile, checks it has no field `name` yet, and
 * adds it to the draft through "Add field" (`fillType(dialog)` chooses its type and what goes
 * with it), then takes the screenshot `screenshot`.
 */
export async function addProfileField({ name, label, fillType, screenshot }) {
  await page.getByRole('table', { name: 'Resources' }).getByRole('link', { name: 'Profile', exact: true }).click();
  await page.waitForURL(/\/admin\/data-model\/profile$/);
  await page.getByRole('table', { name: 'Fields' }).locator('tr[data-field="email"]').waitFor();
  check(await page.locator(`tr[data-field="${name}"]`).count() === 0, `profile already has ${name}: use a fresh database`);
  await page.getByRole('button', { name: 'Add field' }).click();
  const dialog = page.getByRole('dialog', { name: 'New field in Profile' });
  await dialog.waitFor();
  await dialog.getByLabel(/^Name\b/).fill(name);
  await dialog.getByLabel('Label', { exact: true }).fill(label);
  await fillType(dialog);
  await submitDialog(dialog, 'Add to draft');
  await page.locator(`tr[data-field="${name}"]`).waitFor();
  await page.getByTestId('draft-banner').filter({ hasText: `New field profile.${name}` }).waitFor();
  await shot(screenshot);
}

/**
 * "Review & publish": checks that the dry run's SQL adds the column `column` to profiles, takes
 * the screenshot `screenshot` of it, publishes and waits for the confirmation.
 */
export async function reviewAndPublish({ column, screenshot }) {
  await page.getByRole('button', { name: 'Review & publish' }).click();
  const dialog = page.getByRole('dialog', { name: 'Review & publish the data model' });
  const sql = dialog.getByTestId('publish-sql');
  await sql.waitFor();
  const text = await sql.innerText();
  check(text.includes(`ALTER TABLE "profiles" ADD COLUMN "${column}"`), `the SQL does not add the column: ${text}`);
  await page.waitForTimeout(400); // the modal's opening transition
  await shot(screenshot);
  await dialog.getByRole('button', { name: 'Publish', exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  await page.getByText(/Data model published \(version \d+\)/).waitFor();
}

/**
 * The REST API with the browser's session (call it after logging in): `get(path)` and
 * `send(method, path, body)` answer `{ status, json, text }`; state-changing requests carry the
 * session's X-CSRF-Token (read from GET /api/v1/auth/me).
 */
export async function sessionApi() {
  const me = await page.request.get('/api/v1/auth/me');
  check(me.ok(), `GET /api/v1/auth/me answered ${me.status()}`);
  const csrf = (await me.json()).csrfToken;
  const answer = async (res) => {
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON: keep the text */ }
    return { status: res.status(), json, text };
  };
  return {
    get: async (path) => answer(await page.request.get(path)),
    send: async (method, path, body) =>
      answer(await page.request.fetch(path, { method, data: body, headers: { 'X-CSRF-Token': csrf } })),
  };
}

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

/**
 * Runs `main` and exits the process: 0 when it passes; 1 when it throws or takes longer than
 * `timeoutMs`, after printing the failed step, the last browser errors and saving failure.png.
 * `cleanup` runs after the browser is closed, whatever the outcome (not on the timeout).
 */
export async function run(main, { timeoutMs, cleanup = () => undefined }) {
  const watchdog = setTimeout(async () => {
    console.error(`e2e: FAILED: the run took longer than ${timeoutMs / 1000}s (at step: ${currentStep})`);
    await saveFailure();
    process.exit(1);
  }, timeoutMs);

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
    cleanup();
  }
  process.exit(code);
}
