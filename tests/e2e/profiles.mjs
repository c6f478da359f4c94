#!/usr/bin/env node
// End-to-end test of Profiles & audiences and of the data model editor, driving Debian's Chromium
// through playwright-core (same settings as run.mjs).
//
//   OVERTURE_URL, OVERTURE_ADMIN_PASSWORD (required), OVERTURE_E2E_OUT, OVERTURE_CHROMIUM:
//                            see lib.mjs (the set-up shared by the e2e scripts)
//
// Flow: admin logs in; Administration > Data model > Profile: adds the custom field loyaltyTier
// (enumeration bronze / gold) to the draft, reviews the dry run's SQL and publishes; Profiles &
// audiences: creates a profile with loyaltyTier gold through "New profile", opens it and checks
// the value; shows the field as a column of the list (column chooser). Screenshots 10-… to 17-….
// Needs a database where profile has no loyaltyTier field yet (a fresh one). Exits 0 on success;
// on failure prints the step, saves failure.png and exits 1.

import {
  addProfileField, check, launch, logInAsAdmin, logout, openDataModel, page, reviewAndPublish, run, shot, step,
  submitDialog,
} from './lib.mjs';

const RUN_TIMEOUT_MS = 110_000;
const EMAIL = `gold.${Date.now().toString(36)}@example.com`;

async function main() {
  await launch();

  await step('log in as admin', logInAsAdmin);

  await step('Administration > Data model lists the built-in resources', async () => {
    await openDataModel();
    const table = page.getByRole('table', { name: 'Resources' });
    await table.locator('tr[data-resource="profile"]').waitFor();
    check(await table.locator('tr[data-resource="quarantine"]').count() === 1, 'quarantine is not listed');
    await shot('10-data-model');
  });

  await step('Profile: add the custom field loyaltyTier (bronze / gold) to the draft', async () => {
    await addProfileField({
      name: 'loyaltyTier',
      label: 'Loyalty tier',
      screenshot: '11-field-in-draft',
      async fillType(dialog) {
        await dialog.getByLabel('Type', { exact: true }).selectOption('enum');
        await dialog.getByLabel('Value 1', { exact: true }).fill('bronze');
        await dialog.getByLabel('Label of value 1', { exact: true }).fill('Bronze');
        await dialog.getByRole('button', { name: 'Add a value' }).click();
        await dialog.getByLabel('Value 2', { exact: true }).fill('gold');
        await dialog.getByLabel('Label of value 2', { exact: true }).fill('Gold');
      },
    });
  });

  await step('Review & publish: the dry run shows the SQL, then publish', async () => {
    await reviewAndPublish({ column: 'x_loyalty_tier', screenshot: '12-publish-review-sql' });
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

  await step('log out', logout);
}

await run(main, { timeoutMs: RUN_TIMEOUT_MS });
