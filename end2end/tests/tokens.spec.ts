import { expect, test } from '@playwright/test';
import * as fs from 'node:fs';
import {
  closeReveal, createDialog, createToken, dateInDays, expectCreatedAndRevokedInAuditLog, listReloaded, openCreateDialog, signIn, tokenRow, uniqueName,
  waitForHydration,
} from './helpers';

test.describe('signing in', () => {
  test('a signed-out visitor is sent to the sign-in page', async ({ page }) => {
    await page.goto('/agents/tokens');
    await expect(page).toHaveURL(/\/sign-in$/);
    await expect(page.getByRole('heading', { name: 'Sign in to your dashboard' })).toBeVisible();
  });

  test('wrong credentials show one generic message', async ({ page }) => {
    await page.goto('/sign-in');
    await waitForHydration(page);
    await page.getByLabel('Email').fill('owner@pro.test');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert')).toHaveText('Incorrect email or password.');
    await expect(page).toHaveURL(/\/sign-in(\?|$)/);
  });

  test('an owner signs in, lands on the tokens tab and signs out', async ({ page }) => {
    await signIn(page, 'owner@pro.test');
    await expect(page.getByRole('link', { name: 'Tokens', exact: true })).toHaveAttribute('aria-current', 'page');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page).toHaveURL(/\/sign-in$/);
    await page.goto('/agents/tokens');
    await expect(page).toHaveURL(/\/sign-in$/);
  });

  test('a member is told only the owner can manage tokens', async ({ page }) => {
    await signIn(page, 'member@pro.test');
    await expect(page.getByRole('heading', { name: 'Only the account owner can manage API tokens' })).toBeVisible();
    await expect(page.getByRole('button', { name: 'Create token' })).toHaveCount(0);
  });
});

test.describe('creating a token', () => {
  test('reveals the token once, copies it and downloads it', async ({ page, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signIn(page, 'owner@pro.test');
    const name = uniqueName('Reveal');
    const token = await createToken(page, name);
    const reveal = page.getByRole('dialog', { name: 'Token created' });
    await expect(reveal.getByText('will not be shown again')).toBeVisible();

    await reveal.getByRole('button', { name: 'Copy' }).click();
    await expect(reveal.getByRole('status')).toHaveText('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    const downloadPromise = page.waitForEvent('download');
    await reveal.getByRole('link', { name: 'Download' }).click();
    const download = await downloadPromise;
    expect(download.suggestedFilename()).toMatch(/^trekmail-token-reveal-.*\.txt$/);
    const text = fs.readFileSync(await download.path(), 'utf8');
    expect(text.split('\n')[0]).toBe(token);

    await closeReveal(page);
    const row = tokenRow(page, name);
    await expect(row).toContainText(token.slice(0, 16) + '…');
    await expect(row.getByText('Active', { exact: true })).toBeVisible();
    expect(await page.content()).not.toContain(token);

    await page.reload();
    await expect(tokenRow(page, name)).toBeVisible();
    expect(await page.content()).not.toContain(token);
  });

  test('each expiration kind sets the expiry shown in the list', async ({ page }) => {
    await signIn(page, 'owner@agency.test');
    const cases: Array<[string, string | undefined, RegExp]> = [
      ['7 days', undefined, /in 7 days/],
      ['30 days', undefined, /in 30 days/],
      ['90 days', undefined, /in 3 months/],
      ['Custom date', dateInDays(10), /in 1[01] days/],
      ['Never', undefined, /Never/],
    ];
    for (const [expiration, date, shown] of cases) {
      const name = uniqueName(expiration);
      await createToken(page, name, { expiration, date });
      await closeReveal(page);
      await expect(tokenRow(page, name).getByRole('cell').nth(4)).toHaveText(shown);
    }
  });

  test('bad input gets a message next to the field and creates nothing', async ({ page }) => {
    await signIn(page, 'owner@starter.test');
    const dialog = await openCreateDialog(page);
    await dialog.getByRole('button', { name: 'Clear' }).click();
    await dialog.getByLabel('Custom date').check();
    await dialog.getByLabel('Expiration date').fill('2001-01-01');
    await dialog.getByLabel('Selected domains').check();
    await dialog.getByRole('button', { name: 'Create token' }).click();
    // Focus goes to a summary that links to each field; each field also says its own problem.
    const problems = dialog.getByRole('region', { name: 'There are 4 problems' });
    await expect(problems).toBeFocused();
    await expect(problems.getByRole('link')).toHaveText([
      'Enter a name for the token.',
      /must be in the future/,
      'Select at least one scope.',
      'Select at least one domain.',
    ]);
    await expect(dialog.getByLabel('Name')).toHaveAccessibleDescription('Enter a name for the token.');
    await expect(dialog.getByLabel('Expiration date')).toHaveAccessibleDescription(/must be in the future/);
    await expect(dialog.getByRole('group', { name: 'Scopes', exact: true })).toHaveAccessibleDescription(/Select at least one scope\.$/);
    await expect(dialog.getByRole('group', { name: 'Domain constraint' })).toHaveAccessibleDescription(/Select at least one domain\.$/);
    await expect(dialog.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
    // A summary link takes the keyboard to its field.
    await problems.getByRole('link', { name: 'Enter a name for the token.' }).click();
    await page.keyboard.type('Fixed');
    await expect(dialog.getByLabel('Name')).toHaveValue('Fixed');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('dialog')).toHaveCount(0);
  });

  test('a duplicate active name is refused by the server', async ({ page }) => {
    await signIn(page, 'owner@agency.test');
    const name = uniqueName('Twice');
    await createToken(page, name);
    await closeReveal(page);
    const dialog = await openCreateDialog(page);
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await expect(dialog.getByRole('region', { name: 'There is a problem' })).toBeFocused();
    await expect(dialog.getByLabel('Name')).toHaveAccessibleDescription(/An active token already has this name\./);
  });

  test('a domain-constrained token lists only its domains', async ({ page }) => {
    await signIn(page, 'owner@pro.test');
    const name = uniqueName('Shop only');
    const dialog = await openCreateDialog(page);
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByLabel('Selected domains').check();
    await dialog.getByRole('checkbox', { name: 'acme-shop.test' }).check();
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await closeReveal(page);
    await expect(tokenRow(page, name).getByRole('cell').nth(2)).toHaveText('acme-shop.test');
  });

  test('keyboard only: open, fill, create and close', async ({ page }) => {
    await signIn(page, 'owner@pro.test');
    const name = uniqueName('Keyboard');
    await page.getByRole('button', { name: 'Create token' }).first().focus();
    await page.keyboard.press('Enter');
    await expect(createDialog(page)).toBeVisible();
    await expect(createDialog(page).getByLabel('Name')).toBeFocused();
    await page.keyboard.type(name);
    await page.keyboard.press('Enter'); // submits the form
    const reveal = page.getByRole('dialog', { name: 'Token created' });
    await expect(reveal).toBeVisible();
    // Escape before the token was copied asks first, with focus on keeping it.
    await page.keyboard.press('Escape');
    const leave = reveal.getByRole('alert').filter({ hasText: 'Close without copying?' });
    await expect(leave).toBeVisible();
    await expect(reveal.getByRole('button', { name: 'Keep it open' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(leave).toHaveCount(0);
    await expect(reveal).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(reveal.getByRole('button', { name: 'Keep it open' })).toBeFocused();
    await page.keyboard.press('Tab');
    await expect(reveal.getByRole('button', { name: 'Close without copying' })).toBeFocused();
    await page.keyboard.press('Enter');
    await listReloaded(page, 'created');
    await expect(tokenRow(page, name)).toBeVisible();
    // Focus lands on the confirmation, which says what happened.
    await expect(page.getByRole('status').filter({ hasText: `“${name}” was created.` })).toBeFocused();
  });
});

test.describe('plan limits', () => {
  const plans: Array<[string, string[], string[]]> = [
    ['owner@nano.test', ['verify:read', 'verify:write'], ['account:read', 'domains:create', 'drive:account:read']],
    ['owner@nano-drive.test', ['verify:write', 'drive:account:read', 'drive:mailbox:purge', 'drive:addon:read'], ['account:read', 'domains:create']],
    ['owner@starter.test', ['account:read', 'domains:dns:read', 'verify:write', 'drive:account:write'], ['domains:create', 'mailboxes:forwarding:write']],
    ['owner@pro.test', ['domains:delete', 'mailboxes:forwarding:write', 'drive:account:purge'], []],
  ];
  for (const [email, enabled, disabled] of plans) {
    test(`${email} can pick exactly what the plan allows`, async ({ page }) => {
      await signIn(page, email);
      const dialog = await openCreateDialog(page);
      for (const scope of enabled) {
        const box = dialog.getByRole('checkbox', { name: scope, exact: true });
        await expect(box).toBeEnabled();
        await expect(box).toBeChecked();
      }
      // What the plan does not allow is folded away below what it does.
      if (disabled.length > 0) await dialog.getByText(/more scopes? needs? a higher plan/).click();
      for (const scope of disabled) {
        const box = dialog.getByRole('checkbox', { name: scope, exact: true });
        await expect(box).toBeDisabled();
        await expect(box).not.toBeChecked();
        await expect(box).toHaveAccessibleDescription(/Requires (Starter|Pro)/);
      }
      await dialog.getByRole('button', { name: 'Read-only', exact: true }).click();
      if (enabled.includes('verify:write')) {
        await expect(dialog.getByRole('checkbox', { name: 'verify:write', exact: true })).not.toBeChecked();
      }
    });
  }
});

test.describe('the list', () => {
  test('filters by status, kept in the URL', async ({ page }) => {
    await signIn(page, 'owner@agency.test');
    const name = uniqueName('Filtered');
    await createToken(page, name);
    await closeReveal(page);
    const status = page.getByRole('navigation', { name: 'Status' });
    await status.getByRole('link', { name: 'Revoked' }).click();
    await expect(page).toHaveURL(/status=revoked/);
    await expect(status.getByRole('link', { name: 'Revoked' })).toHaveAttribute('aria-current', 'page');
    await expect(tokenRow(page, name)).toHaveCount(0);
    await status.getByRole('link', { name: 'Active' }).click();
    await expect(page).toHaveURL(/status=active/);
    await expect(tokenRow(page, name)).toBeVisible();
    await page.reload();
    await expect(status.getByRole('link', { name: 'Active' })).toHaveAttribute('aria-current', 'page');
    await expect(tokenRow(page, name)).toBeVisible();
  });

  test('revoking asks first; cancel keeps the token, confirm revokes it', async ({ page }) => {
    await signIn(page, 'owner@pro.test');
    const name = uniqueName('Revoke me');
    await createToken(page, name);
    await closeReveal(page);

    await page.getByRole('button', { name: `Revoke ${name}` }).click();
    const confirm = page.getByRole('dialog', { name: `Revoke “${name}”?` });
    await expect(confirm.getByText('This cannot be undone.')).toBeVisible();
    await expect(confirm.getByText(/stop working immediately/)).toBeVisible();
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.getByRole('dialog')).toHaveCount(0);
    await expect(tokenRow(page, name).getByText('Active', { exact: true })).toBeVisible();

    await page.getByRole('button', { name: `Revoke ${name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await listReloaded(page, 'revoked');
    await expect(page.getByRole('status').filter({ hasText: `“${name}” was revoked.` })).toBeFocused();
    await expect(tokenRow(page, name).getByText('Revoked', { exact: true })).toBeVisible();
    await expect(page.getByRole('button', { name: `Revoke ${name}` })).toHaveCount(0);
  });
});

test.describe('the audit log', () => {
  test('records creation and revocation with actor and IP', async ({ page }) => {
    await signIn(page, 'owner@starter.test');
    const name = uniqueName('Audited');
    await createToken(page, name, { scopes: ['verify:read'] });
    await closeReveal(page);
    await page.getByRole('button', { name: `Revoke ${name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke token' }).click();
    await listReloaded(page, 'revoked');
    await expect(tokenRow(page, name).getByText('Revoked', { exact: true })).toBeVisible();

    const rows = await expectCreatedAndRevokedInAuditLog(page, name, 'owner@starter.test');
    await expect(rows.nth(0)).toContainText('127.0.0.1');

    await page.getByRole('navigation', { name: 'Action' }).getByRole('link', { name: 'Token created', exact: true }).click();
    await expect(page).toHaveURL(/action=token_created/);
    await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(1);
  });
});

test.describe('on a phone', () => {
  // A real phone browser (isMobile) widens its layout viewport to fit anything that overflows,
  // which pushed the dialogs' buttons off screen once; nothing may overflow the page.
  test.use({ viewport: { width: 393, height: 851 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2.75 });

  test('the pages fit the screen and a token can be created, copied and closed', async ({ page }) => {
    const pageWidth = () => page.evaluate(() => document.documentElement.scrollWidth);
    await signIn(page, 'owner@agency.test');
    await createToken(page, uniqueName('Phone'));
    await closeReveal(page);
    expect(await pageWidth()).toBeLessThanOrEqual(393);
    // Each token is a card: its name, status and Revoke button are on screen without scrolling.
    const card = page.getByRole('row').filter({ has: page.getByRole('rowheader') }).first();
    for (const part of [card.getByRole('rowheader'), card.getByText('Active', { exact: true }), card.getByRole('button', { name: /^Revoke / })]) {
      const box = (await part.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(393);
    }
    await page.getByRole('link', { name: 'Audit Log' }).click();
    await expect(page.getByRole('table')).toBeVisible();
    expect(await pageWidth()).toBeLessThanOrEqual(393);
  });
});

test.describe('scope presets', () => {
  test('the Drive recipes select exactly their scopes, never a purge scope', async ({ page }) => {
    await signIn(page, 'owner@pro.test');
    const dialog = await openCreateDialog(page);
    await dialog.getByRole('button', { name: 'Drive: upload automation' }).click();
    const checked = dialog.getByRole('checkbox', { checked: true });
    await expect(checked).toHaveCount(5);
    for (const scope of ['drive:account:read', 'drive:mailbox:read', 'drive:addon:read', 'drive:account:write', 'drive:mailbox:write']) {
      await expect(dialog.getByRole('checkbox', { name: scope, exact: true })).toBeChecked();
    }
    await expect(dialog.getByRole('checkbox', { name: 'drive:account:purge', exact: true })).not.toBeChecked();
    await expect(dialog.getByText('belongs in a separate, tightly controlled token')).toBeVisible();
  });
});

test.describe('relative times', () => {
  test('stay current while the page is open', async ({ page }) => {
    await page.clock.install();
    await signIn(page, 'owner@agency.test');
    const name = uniqueName('Clock');
    await createToken(page, name, { expiration: '7 days' });
    await closeReveal(page);
    const expires = tokenRow(page, name).getByRole('cell').nth(4);
    await expect(expires).toContainText('in 7 days');
    await page.clock.fastForward('48:00:00');
    await expect(expires).toContainText('in 5 days');
  });
});
