// The token lifecycle, walked by role and label as an owner would: rotate with a grace period,
// pause and resume, change the expiration, the IP allowlist, Edit access, Create similar, and
// (on the Lifecycle Labs account, which no other test touches) the token policy and "Revoke
// all…". The server runs with TREKMAIL_ROTATION_HOUR_MS=2000, so a grace period of "1 hour"
// lasts 2 seconds here.
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { closeReveal, createToken, openCreateDialog, signIn, tokenRow, uniqueName } from './helpers';

const auth = (secret: string) => ({ Authorization: `Bearer ${secret}` });

async function me(request: APIRequestContext, secret: string) {
  return request.get('/api/v1/me', { headers: auth(secret) });
}

/** A change page's form was sent: the list confirms it. */
async function confirmed(page: Page, text: string) {
  await expect(page.getByRole('status').filter({ hasText: text })).toBeVisible();
}

test('rotate: the old secret keeps working until the grace period after the new one is first used', async ({ page, request }) => {
  await signIn(page, 'owner@pro.test');
  const name = uniqueName('Rotate');
  const old = await createToken(page, name, { scopes: ['domains:read'] });
  await closeReveal(page);

  await page.getByRole('button', { name: `Rotate ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Rotate token' });
  await expect(dialog.getByText('The grace period starts when the new secret is first used')).toBeVisible();
  await dialog.getByLabel('1 hour').check();
  await dialog.getByRole('button', { name: 'Rotate token' }).click();

  const reveal = page.getByRole('dialog', { name: 'Token rotated' });
  await expect(reveal.getByText('keeps working until 1 hour after the new secret is first used')).toBeVisible();
  const fresh = await reveal.getByLabel('Your new token').inputValue();
  expect(fresh).toMatch(/^tm_live_/);
  expect(fresh).not.toBe(old);

  // Not yet used: both secrets work.
  expect((await me(request, old)).status()).toBe(200);
  const rotatedOut = await (await me(request, old)).json();
  expect(rotatedOut.rotated_out_until).toBeTruthy();
  // The new secret's first use starts the grace period ("1 hour" = 2 s here)…
  expect((await me(request, fresh)).status()).toBe(200);
  expect((await me(request, old)).status()).toBe(200);
  // …after which the old secret is refused, and the new one still works.
  await expect(async () => {
    const refused = await me(request, old);
    expect(refused.status()).toBe(401);
    expect((await refused.json()).error.message).toContain('rotated');
  }).toPass({ timeout: 15_000 });
  expect((await me(request, fresh)).status()).toBe(200);

  await reveal.getByRole('button', { name: 'Done' }).click();
  await confirmed(page, 'was rotated');
  const rows = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await expect(rows).toHaveCount(2);
  await expect(rows.filter({ hasText: 'Rotated — stopped on' })).toHaveCount(1);
  await page.getByRole('link', { name: 'Audit Log' }).click();
  await expect(page.getByRole('row').filter({ hasText: name }).filter({ hasText: 'Token rotated' })).toHaveCount(1);
});

test('pause: the API refuses the token with 401 until it is resumed', async ({ page, request }) => {
  await signIn(page, 'owner@pro.test');
  const name = uniqueName('Pause');
  const token = await createToken(page, name, { scopes: ['domains:read'] });
  await closeReveal(page);

  await page.getByRole('button', { name: `Pause ${name}` }).click();
  const pause = page.getByRole('dialog', { name: `Pause “${name}”?` });
  await expect(pause.getByText('until you resume it')).toBeVisible();
  await pause.getByRole('button', { name: 'Pause token' }).click();
  await confirmed(page, 'was paused');
  await expect(tokenRow(page, name).getByText('Paused', { exact: true })).toBeVisible();
  const refused = await me(request, token);
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.message).toContain('paused');

  await page.getByRole('button', { name: `Resume ${name}` }).click();
  await page.getByRole('dialog', { name: `Resume “${name}”?` }).getByRole('button', { name: 'Resume token' }).click();
  await confirmed(page, 'was resumed');
  await expect(tokenRow(page, name).getByText('Active', { exact: true })).toBeVisible();
  expect((await me(request, token)).status()).toBe(200);
});

test('extend: a token that expires soon is flagged, listed under "Expiring soon", and extended', async ({ page }) => {
  await signIn(page, 'owner@pro.test');
  const name = uniqueName('Extend');
  await createToken(page, name, { expiration: '7 days', scopes: ['domains:read'] });
  await closeReveal(page);
  await expect(tokenRow(page, name).getByText('Expires soon')).toBeVisible();

  await page.getByRole('link', { name: /expire within 7 days|expires within 7 days/ }).click();
  await expect(page).toHaveURL(/status=expiring/);
  await expect(tokenRow(page, name)).toBeVisible();

  await page.getByRole('link', { name: `Change the expiration of ${name}` }).click();
  await page.getByLabel('90 days').check();
  await page.getByRole('button', { name: 'Change expiration' }).click();
  await confirmed(page, 'expiration was changed');
  await expect(tokenRow(page, name).getByText('Expires soon')).toHaveCount(0);
  await page.getByRole('link', { name: 'Audit Log' }).click();
  await expect(page.getByRole('row').filter({ hasText: name }).filter({ hasText: 'Token expiration changed' })).toHaveCount(1);
});

test('IP allowlist: 403 from 127.0.0.1 while only 10.0.0.0/8 is allowed, 200 once 127.0.0.1/32 is added', async ({ page, request }) => {
  await signIn(page, 'owner@agency.test');
  const name = uniqueName('Allowlist');
  const token = await createToken(page, name, { scopes: ['domains:read'] });
  await closeReveal(page);

  await page.getByRole('link', { name: `Allowed IP addresses of ${name}` }).click();
  const field = page.getByRole('textbox', { name: 'Allowed IP addresses' });
  // "Everything" written as a restriction is explained, not saved.
  await field.fill('0.0.0.0/0');
  await page.getByRole('button', { name: 'Save allowed addresses' }).click();
  await expect(page.getByText('allows every address, so it restricts nothing')).toBeVisible();

  await page.getByRole('textbox', { name: 'Allowed IP addresses' }).fill('10.0.0.0/8');
  await page.getByRole('button', { name: 'Save allowed addresses' }).click();
  await confirmed(page, 'allowed IP addresses were saved');
  const refused = await me(request, token);
  expect(refused.status()).toBe(403);
  const error = (await refused.json()).error;
  expect(error.code).toBe('ip_not_allowed');
  expect(error.message).toContain('127.0.0.1');

  await page.getByRole('link', { name: `Allowed IP addresses of ${name}` }).click();
  await page.getByRole('textbox', { name: 'Allowed IP addresses' }).fill('10.0.0.0/8\n127.0.0.1/32');
  await page.getByRole('button', { name: 'Save allowed addresses' }).click();
  await confirmed(page, 'allowed IP addresses were saved');
  const allowed = await me(request, token);
  expect(allowed.status()).toBe(200);
  expect((await allowed.json()).ip_allowlist).toEqual(['10.0.0.0/8', '127.0.0.1']);
});

test('edit access: rename and drop a scope without a new secret, after reviewing the change', async ({ page, request }) => {
  await signIn(page, 'owner@agency.test');
  const name = uniqueName('Edit');
  const token = await createToken(page, name, { scopes: ['domains:read', 'mailboxes:read'] });
  await closeReveal(page);

  await page.getByRole('link', { name: `Edit access of ${name}` }).click();
  await page.getByLabel('Name').fill(`${name} v2`);
  await page.getByRole('checkbox', { name: 'mailboxes:read', exact: true }).uncheck();
  await page.getByRole('button', { name: 'Review changes' }).click();
  await expect(page.getByRole('heading', { name: `Save these changes to “${name}”?` })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: `Name: ${name} → ${name} v2` })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'Scopes removed: mailboxes:read' })).toBeVisible();
  await page.getByRole('button', { name: 'Save changes' }).click();
  await confirmed(page, 'access was changed');

  const self = await (await me(request, token)).json();
  expect(self.name).toBe(`${name} v2`);
  expect(self.scopes).toEqual(['domains:read']);
  const dropped = await request.get('/api/v1/mailboxes', { headers: auth(token) });
  expect(dropped.status()).toBe(403);
});

test('create similar: the dialog starts from a live token\'s settings, with a new name required', async ({ page }) => {
  await signIn(page, 'owner@agency.test');
  const name = uniqueName('Template');
  await createToken(page, name, { scopes: ['domains:read', 'verify:read'] });
  await closeReveal(page);

  await page.getByRole('button', { name: `Create a token like ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: 'Create token' });
  await expect(dialog.getByText(`Filled in from “${name}”`)).toBeVisible();
  await expect(dialog.getByLabel('Name')).toHaveValue(name);
  await expect(dialog.getByRole('checkbox', { name: 'verify:read', exact: true })).toBeChecked();
  // The same name is taken by the live original.
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(dialog.getByRole('link', { name: /An active token already has this name/ })).toBeVisible();
  await dialog.getByLabel('Name').fill(`${name} copy`);
  await dialog.getByRole('button', { name: 'Create token' }).click();
  await expect(page.getByRole('dialog', { name: 'Token created' })).toBeVisible();
});

test.describe('account-wide controls (Lifecycle Labs)', () => {
  test.describe.configure({ mode: 'serial' });

  test('the token policy disables "Never" and longer lifetimes in the create form, with the reason', async ({ page }) => {
    await signIn(page, 'owner@labs.test');
    await page.getByRole('link', { name: 'Token policy' }).click();
    await page.getByLabel('Maximum lifetime').selectOption({ label: '30 days' });
    await page.getByLabel('Default expiration').selectOption({ label: '30 days' });
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'The token policy was saved.' })).toBeVisible();

    await page.getByRole('link', { name: 'Back to tokens' }).click();
    const dialog = await openCreateDialog(page);
    await expect(dialog.getByLabel('Never', { exact: true })).toBeDisabled();
    await expect(dialog.getByLabel('90 days')).toBeDisabled();
    await expect(dialog.getByLabel('30 days')).toBeChecked();
    await expect(dialog.getByText('Your token policy allows tokens to last at most 30 days')).toBeVisible();
    await page.keyboard.press('Escape');

    // Back to no maximum, so a retry starts from the same place.
    await page.getByRole('link', { name: 'Token policy' }).click();
    await page.getByLabel('Maximum lifetime').selectOption({ label: 'No maximum' });
    await page.getByRole('button', { name: 'Save policy' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'The token policy was saved.' })).toBeVisible();
  });

  test('revoke all by domain: lists what reaches the domain, asks for the account name, revokes only those', async ({ page, request }) => {
    await signIn(page, 'owner@labs.test');
    const edge = uniqueName('Edge');
    const core = uniqueName('Core');
    const make = async (name: string, domain: string) => {
      const dialog = await openCreateDialog(page);
      await dialog.getByLabel('Name').fill(name);
      await dialog.getByRole('button', { name: 'Clear' }).click();
      await dialog.getByRole('checkbox', { name: 'domains:read', exact: true }).check();
      await dialog.getByLabel('Selected domains').check();
      await dialog.getByLabel(domain, { exact: true }).check();
      await dialog.getByRole('button', { name: 'Create token' }).click();
      const token = await page.getByRole('dialog', { name: 'Token created' }).getByLabel('Your new token').inputValue();
      await closeReveal(page);
      return token;
    };
    const edgeToken = await make(edge, 'labs-edge.test');
    const coreToken = await make(core, 'labs.test');

    await page.getByRole('link', { name: 'Revoke all…' }).click();
    await page.getByLabel('Every token that can reach one domain').check();
    await page.getByLabel('Domain', { exact: true }).selectOption({ label: 'labs-edge.test' });
    await page.getByRole('button', { name: 'Review tokens' }).click();
    await expect(page.getByText(`${edge} (tm_live_`)).toBeVisible();
    await expect(page.getByText(`${core} (tm_live_`)).toHaveCount(0);

    const confirmation = page.getByLabel('Type the account name, Lifecycle Labs, to confirm');
    await confirmation.fill('lifecycle labs');
    await page.getByRole('button', { name: /^Revoke \d+ tokens?$/ }).click();
    await expect(page.getByText('Type the account name, Lifecycle Labs, exactly as shown')).toBeVisible();
    expect((await me(request, edgeToken)).status()).toBe(200);

    await page.getByLabel('Type the account name, Lifecycle Labs, to confirm').fill('Lifecycle Labs');
    await page.getByRole('button', { name: /^Revoke \d+ tokens?$/ }).click();
    await expect(page.getByRole('status').filter({ hasText: /tokens? (was|were) revoked/ })).toBeVisible();
    expect((await me(request, edgeToken)).status()).toBe(401);
    expect((await me(request, coreToken)).status()).toBe(200);
    await expect(tokenRow(page, edge).getByText('Revoked', { exact: true })).toBeVisible();
    await expect(tokenRow(page, core).getByText('Active', { exact: true })).toBeVisible();
    await page.getByRole('link', { name: 'Audit Log' }).click();
    await expect(page.getByRole('row').filter({ hasText: 'Emergency revoke' }).first()).toBeVisible();
  });
});
