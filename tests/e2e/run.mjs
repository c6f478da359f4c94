#!/usr/bin/env node
// End-to-end test of the Overture web UI, driving Debian's Chromium through playwright-core.
//
//   OVERTURE_URL, OVERTURE_ADMIN_PASSWORD (required), OVERTURE_E2E_OUT, OVERTURE_CHROMIUM:
//                            see lib.mjs (the set-up shared by the e2e scripts)
//   OVERTURE_E2E_USER        user created by the test (default marketer1; must not exist yet)
//
// Flow: admin logs in, creates a marketer through Administration > Users, creates and revokes
// an API key, looks at the audit trail, logs out; the marketer logs in and is refused
// Administration > Users. Exits 0 on success; on any failure prints the failed step, saves
// failure.png and exits 1. The whole run is bounded (RUN_TIMEOUT_MS).

import {
  ADMIN_PASSWORD, BASE, check, launch, login, logout, page, run, shot, step, submitDialog,
} from './lib.mjs';

const NEW_USER = process.env.OVERTURE_E2E_USER || 'marketer1';
const NEW_USER_PASSWORD = `${NEW_USER}-e2e-Passw0rd`;
const RUN_TIMEOUT_MS = 110_000;

async function openAdmin(tab) {
  await page.getByRole('navigation').getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('tab', { name: tab }).click();
  await page.waitForURL(/\/admin\//);
}

async function main() {
  await launch();

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

await run(main, { timeoutMs: RUN_TIMEOUT_MS });
