#!/usr/bin/env node
// End-to-end acceptance test of the import wizard and of custom fields on imported profiles,
// driving Debian's Chromium through playwright-core (same settings as run.mjs).
//
//   OVERTURE_URL, OVERTURE_ADMIN_PASSWORD (required), OVERTURE_E2E_OUT, OVERTURE_CHROMIUM:
//                            see lib.mjs (the set-up shared by the e2e scripts)
//
// Flow: admin logs in; writes a generated semicolon-separated CSV of 2,000 profiles (5 bad lines:
// 3 invalid emails, 2 impossible dates) to a temporary file; Profiles > Import opens the wizard;
// uploads the file (setInputFiles), checks the detected format and the preview, checks the
// mapping (E-mail → Email …, birth dates day-first), chooses upsert on email, starts; waits for
// the progress to reach 100% and the counters (2,000 read, 1,995 inserted, 5 rejected); downloads
// the rejects; sees the import in the history; opens one imported profile from the list; then
// Administration > Data model > Profile: adds the custom field favoriteColor (string, 30),
// reviews the SQL and publishes; the imported profile's page shows "Favorite color".
// Screenshots 20-… to 30-…. Needs a database where profile has no favoriteColor field yet (it
// does not matter whether run.mjs or profiles.mjs ran before). Exits 0 on success; on failure
// prints the step, saves failure.png and exits 1.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  E2eFailure, addProfileField, check, launch, log, logInAsAdmin, logout, openDataModel, page, reviewAndPublish,
  run, shot, step,
} from './lib.mjs';

const RUN_TIMEOUT_MS = 150_000;
const IMPORT_TIMEOUT_MS = 60_000;

const ROWS = 2000;
const TAG = Date.now().toString(36);
const FILE_NAME = `people-${TAG}.csv`;
const BAD_EMAIL_LINES = new Set([100, 700, 1300]); // 0-based data rows
const BAD_DATE_LINES = new Set([400, 1600]);
const REJECTS = BAD_EMAIL_LINES.size + BAD_DATE_LINES.size;
const OPENED = 17; // the data row whose profile is opened
const emailOf = (i) => `imp.${TAG}.${i}@example.com`;

let tmpDir;

/** 2,000 profiles, semicolon-separated, day-first dates; a few lines bad in one way each. */
function writeCsv() {
  const lines = ['E-mail;First name;Last name;Birth date;Country;City'];
  for (let i = 0; i < ROWS; i++) {
    const email = BAD_EMAIL_LINES.has(i) ? `imp.${TAG}.${i}.example.com` : emailOf(i);
    const day = String(1 + (i % 28)).padStart(2, '0');
    const month = String(1 + (i % 12)).padStart(2, '0');
    const birth = BAD_DATE_LINES.has(i) ? '31/02/1990' : `${day}/${month}/${1950 + (i % 50)}`;
    lines.push([email, `First${i}`, `Last${i}`, birth, ['fr', 'DE', 'es', 'IT'][i % 4], `City ${i % 23}`].join(';'));
  }
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'overture-e2e-import-'));
  const file = path.join(tmpDir, FILE_NAME);
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

async function counter(name) {
  const text = await page.locator(`[data-counter="${name}"]`).locator('p').first().innerText();
  return Number(text.replace(/[^\d]/g, ''));
}

async function main() {
  let csvFile;
  let profileUrl;

  await launch({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });

  await step(`write a CSV of ${ROWS} profiles with ${REJECTS} bad lines`, async () => {
    csvFile = writeCsv();
    log(`  ${csvFile} (${fs.statSync(csvFile).size} bytes)`);
  });

  await step('log in as admin', logInAsAdmin);

  await step('Profiles & audiences > Profiles: "Import" opens the wizard on profiles', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Profiles & audiences' }).click();
    await page.waitForURL(/\/audiences\/profiles$/);
    await page.getByRole('table', { name: 'Profiles' }).waitFor();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForURL(/\/audiences\/imports\/new\?resource=profile$/);
    const into = await page.getByLabel('Import into', { exact: true }).inputValue();
    check(into === 'profile', `the wizard imports into ${into}, not profile`);
  });

  await step('step 1: choose the file (setInputFiles), upload it with the progress bar', async () => {
    await page.getByLabel('File to import', { exact: true }).setInputFiles(csvFile);
    await page.getByTestId('chosen-file').filter({ hasText: FILE_NAME }).waitFor();
    await shot('20-import-file-chosen');
    await page.getByRole('button', { name: 'Upload and continue' }).click();
    const outcome = await Promise.race([
      page.getByTestId('detected-format').waitFor().then(() => 'ok'),
      page.getByRole('alert').filter({ hasText: 'The upload failed' }).waitFor().then(() => 'error'),
    ]);
    if (outcome === 'error') {
      throw new E2eFailure((await page.getByRole('alert').filter({ hasText: 'The upload failed' }).innerText()).replace(/\s+/g, ' '));
    }
  });

  await step('step 2: the detected format (semicolon, UTF-8, header) and the preview', async () => {
    const detected = await page.getByTestId('detected-format').innerText();
    check(/Semicolon/.test(detected) && /UTF-8/.test(detected) && /with a header line/.test(detected) && /6 columns/.test(detected),
      `unexpected detected format: ${detected}`);
    check((await page.getByLabel('Delimiter', { exact: true }).inputValue()) === ';', 'the delimiter select is not on ;');
    const preview = page.getByRole('table', { name: 'Preview' });
    await preview.getByRole('columnheader', { name: 'E-mail' }).waitFor();
    await preview.getByRole('cell', { name: emailOf(0), exact: true }).waitFor();
    await shot('21-import-format-preview');
    await page.getByRole('button', { name: 'Next', exact: true }).click();
  });

  await step('step 3: the mapping (E-mail → Email, day-first birth dates), upsert on email', async () => {
    const table = page.getByRole('table', { name: 'Mapping' });
    await table.waitFor();
    const expect = { 'E-mail': 'email', 'First name': 'firstName', 'Last name': 'lastName', 'Birth date': 'birthDate', Country: 'country', City: 'city' };
    for (const [column, target] of Object.entries(expect)) {
      const value = await page.getByLabel(`Import ${column} into`, { exact: true }).inputValue();
      check(value === target, `column ${column} is mapped to "${value}", expected ${target}`);
    }
    // The input, not the suggestions' listbox, which carries the same label.
    const dateFormat = page.getByLabel('Date format of Birth date', { exact: true }).and(page.locator('input'));
    check((await dateFormat.inputValue()) === '%d/%m/%Y', `the guessed date format is "${await dateFormat.inputValue()}", expected %d/%m/%Y`);
    await dateFormat.fill('%d/%m/%Y');
    await page.keyboard.press('Escape');
    await page.getByLabel('Mode', { exact: true }).selectOption('upsert');
    const keys = page.getByTestId('reconciliation');
    await keys.getByText('Email', { exact: true }).waitFor(); // the suggested key, as a pill
    if (await page.getByTestId('mapping-issues').count() > 0) {
      throw new E2eFailure(`the wizard reports problems: ${(await page.getByTestId('mapping-issues').innerText()).replace(/\s+/g, ' ')}`);
    }
    await shot('22-import-mapping');
    await page.getByRole('button', { name: 'Next', exact: true }).click();
  });

  await step('step 4: start; the progress reaches 100% and the counters show', async () => {
    await page.getByRole('button', { name: 'Start import' }).click();
    const outcome = await Promise.race([
      page.getByTestId('import-run').waitFor().then(() => 'ok'),
      page.getByRole('alert').filter({ hasText: 'refused to start' }).waitFor().then(() => 'error'),
    ]);
    if (outcome === 'error') {
      throw new E2eFailure((await page.getByRole('alert').filter({ hasText: 'refused to start' }).innerText()).replace(/\s+/g, ' '));
    }
    const first = await page.getByTestId('import-run').getAttribute('data-status');
    if (first === 'queued' || first === 'running') await shot('23-import-running');
    const seen = new Set();
    const deadline = Date.now() + IMPORT_TIMEOUT_MS;
    for (;;) {
      const status = await page.getByTestId('import-run').getAttribute('data-status');
      const percent = (await page.getByTestId('import-percent').innerText()).trim();
      seen.add(`${status} ${percent}`);
      if (['succeeded', 'failed', 'cancelled'].includes(status)) break;
      check(Date.now() < deadline, `the import did not finish within ${IMPORT_TIMEOUT_MS / 1000}s (last: ${status} ${percent})`);
      await page.waitForTimeout(100);
    }
    log(`  seen: ${[...seen].join(' → ')}`);
    const status = await page.getByTestId('import-run').getAttribute('data-status');
    if (status !== 'succeeded') {
      const alert = await page.getByTestId('import-run').getByRole('alert').innerText().catch(() => '');
      throw new E2eFailure(`the import ended ${status}: ${alert.replace(/\s+/g, ' ')}`);
    }
    await page.getByTestId('import-percent').filter({ hasText: /^100%$/ }).waitFor();
    const progress = await page.getByRole('progressbar', { name: 'Import progress' }).getAttribute('aria-valuenow');
    check(progress === '100', `the progress bar is at ${progress}, not 100`);
    await page.getByTestId('import-result').waitFor();
    const got = {};
    for (const c of ['read', 'inserted', 'updated', 'unchanged', 'deleted', 'rejected']) got[c] = await counter(c);
    const want = { read: ROWS, inserted: ROWS - REJECTS, updated: 0, unchanged: 0, deleted: 0, rejected: REJECTS };
    check(JSON.stringify(got) === JSON.stringify(want), `counters ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`);
    const summary = await page.getByTestId('import-summary').innerText();
    check(summary.includes(`${(ROWS - REJECTS).toLocaleString('en-US')} inserted`), `the summary says: ${summary}`);
    await page.waitForTimeout(300); // the progress bar's transition
    await shot('24-import-done');
  });

  await step('"Download rejects" gives the rejected lines with their reasons', async () => {
    const link = page.getByRole('link', { name: 'Download rejects' });
    const href = await link.getAttribute('href');
    check(href && /\/api\/v1\/imports\/\d+\/rejects$/.test(href), `the rejects link is ${href}`);
    const res = await page.request.get(href);
    check(res.ok(), `GET ${href} answered ${res.status()}`);
    const lines = (await res.text()).trim().split('\n');
    check(lines.length === REJECTS + 1, `the rejects file has ${lines.length - 1} lines, expected ${REJECTS}: ${lines.join(' | ')}`);
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    check(/rejects\.csv$/.test(download.suggestedFilename()), `the download is named ${download.suggestedFilename()}`);
  });

  await step('Imports tab: the history lists the import as succeeded', async () => {
    await page.getByRole('tab', { name: 'Imports', exact: true }).click();
    await page.waitForURL(/\/audiences\/imports$/);
    const row = page.getByRole('table', { name: 'Imports' }).getByRole('row').filter({ hasText: FILE_NAME });
    await row.locator('[data-status="succeeded"]').waitFor();
    await row.getByRole('link', { name: `Download the rejects of ${FILE_NAME}` }).waitFor();
    await shot('25-import-history');
  });

  await step(`open an imported profile (${emailOf(OPENED)}) from the list`, async () => {
    await page.getByRole('tab', { name: 'Profiles', exact: true }).click();
    await page.waitForURL(/\/audiences\/profiles$/);
    await page.getByLabel('Search profiles', { exact: true }).fill(emailOf(OPENED));
    const table = page.getByRole('table', { name: 'Profiles' });
    const row = table.getByRole('row').filter({ hasText: emailOf(OPENED) });
    await row.waitFor();
    await row.getByRole('link').first().click();
    await page.waitForURL(/\/profiles\/\d+$/);
    profileUrl = new URL(page.url()).pathname;
    await page.getByRole('heading', { name: `First${OPENED} Last${OPENED}` }).waitFor();
    const birth = await page.getByLabel('Birth date', { exact: true }).inputValue();
    const want = `${1950 + (OPENED % 50)}-${String(1 + (OPENED % 12)).padStart(2, '0')}-${String(1 + (OPENED % 28)).padStart(2, '0')}`;
    check(birth === want, `birth date is ${birth}, expected ${want} (read day-first)`);
    await shot('26-imported-profile');
  });

  await step('Administration > Data model > Profile: add the custom field favoriteColor (string, 30)', async () => {
    await openDataModel();
    await addProfileField({
      name: 'favoriteColor',
      label: 'Favorite color',
      screenshot: '27-favorite-color-in-draft',
      async fillType(dialog) {
        await dialog.getByLabel('Type', { exact: true }).selectOption('string');
        await dialog.getByLabel('Length', { exact: true }).fill('30');
      },
    });
  });

  await step('Review & publish: the SQL adds the column, then publish', async () => {
    await reviewAndPublish({ column: 'x_favorite_color', screenshot: '28-publish-review-sql' });
    await page.locator('tr[data-field="favoriteColor"]').getByText('Custom', { exact: true }).waitFor();
    await shot('29-favorite-color-published');
  });

  await step('the imported profile shows "Favorite color" among its custom fields', async () => {
    await page.goto(profileUrl);
    await page.getByRole('heading', { name: `First${OPENED} Last${OPENED}` }).waitFor();
    const custom = page.locator('[data-group="custom"]');
    await custom.getByRole('heading', { name: 'Custom fields' }).waitFor();
    const input = custom.getByLabel('Favorite color', { exact: true });
    await input.waitFor();
    check((await input.inputValue()) === '', 'favorite color of an imported profile is not empty');
    await shot('30-profile-with-favorite-color');
  });

  await step('log out', logout);
}

await run(main, {
  timeoutMs: RUN_TIMEOUT_MS,
  cleanup: () => tmpDir && fs.rmSync(tmpDir, { recursive: true, force: true }),
});
