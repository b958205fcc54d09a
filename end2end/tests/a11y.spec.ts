// axe-core with the WCAG 2.2 AA rules on every page and dialog state, on a desktop and a phone,
// in the light and the dark colour scheme. `SCREENSHOTS=dir` also saves what each state looks like.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { createDialog, createToken, openCreateDialog, signIn, tokenRow, uniqueName, waitForHydration } from './helpers';

const RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const DEVICES = [
  { device: 'desktop', viewport: { width: 1400, height: 900 } },
  { device: 'phone', viewport: { width: 390, height: 844 } },
] as const;

for (const { device, viewport } of DEVICES) {
  for (const scheme of ['light', 'dark'] as const) {
    test.describe(`${device}, ${scheme}`, () => {
      test.use({ viewport, colorScheme: scheme, hasTouch: device === 'phone' });
      const check = (page: Page, state: string) => expectAccessible(page, `${device}-${scheme}-${state}`);

      test('sign-in page, and its refusal', async ({ page }) => {
        await page.goto('/sign-in');
        await check(page, 'sign-in');
        await page.getByLabel('Email').fill('owner@pro.test');
        await page.getByLabel('Password').fill('wrong password');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await expect(page.getByRole('alert').filter({ hasText: 'Incorrect' })).toBeVisible();
        await check(page, 'sign-in-refused');
      });

      test('Pro: list, create dialog, reveal, revoke confirmation, audit log', async ({ page }) => {
        await signIn(page, 'owner@pro.test');
        const name = uniqueName('Axe');
        await createToken(page, name);
        await check(page, 'reveal');
        await page.getByRole('dialog', { name: 'Token created' }).getByRole('button', { name: 'Done' }).click();
        await expect(tokenRow(page, name)).toBeVisible();
        await check(page, 'list');
        await openCreateDialog(page);
        await check(page, 'create-pro');
        await createDialog(page).getByRole('button', { name: 'Cancel' }).click();
        await tokenRow(page, name).getByRole('button', { name: `Revoke ${name}` }).click();
        await expect(page.getByRole('dialog', { name: /Revoke/ })).toBeVisible();
        await check(page, 'revoke');
        await page.goto('/agents/audit-log');
        await check(page, 'audit-log');
      });

      test('Nano: create dialog with the locked scopes open, and its error summary', async ({ page }) => {
        await signIn(page, 'owner@nano.test');
        const dialog = await openCreateDialog(page);
        await dialog.getByText(/more scopes need a higher plan/).click();
        await expect(dialog.getByRole('checkbox', { name: 'account:read', exact: true })).toBeVisible();
        await check(page, 'create-nano');
        await dialog.getByRole('button', { name: 'Create token' }).click();
        const problems = dialog.getByRole('region', { name: 'There is a problem' });
        await expect(problems).toBeFocused();
        await expect(problems.getByRole('link', { name: /name/i })).toBeVisible();
        await check(page, 'create-nano-problems');
      });

      test('a downgraded account: rows the plan refuses', async ({ page }) => {
        await signIn(page, 'owner@downgraded.test');
        await expect(page.getByText('Scopes not available on your plan').first()).toBeVisible();
        await check(page, 'downgraded');
      });

      test('the pages without dialogs: create and revoke', async ({ page }) => {
        await signIn(page, 'owner@agency.test');
        await page.goto('/agents/tokens/new');
        await expect(page.getByRole('heading', { name: 'Create token' })).toBeVisible();
        await check(page, 'new-token-page');
        await page.getByRole('button', { name: 'Create token' }).click();
        await expect(page.getByRole('region', { name: 'There is a problem' })).toBeFocused();
        await check(page, 'new-token-page-problems');
        const name = uniqueName('Axe page');
        await page.getByLabel('Name').fill(name);
        await page.getByRole('button', { name: 'Create token' }).click();
        await expect(page.getByRole('heading', { name: 'Token created' })).toBeVisible();
        await check(page, 'reveal-page');
        await page.goto('/agents/tokens');
        const revoke = await tokenRow(page, name).getByRole('button', { name: `Revoke ${name}` }).getAttribute('href');
        await page.goto(revoke!);
        await expect(page.getByRole('heading', { name: /Revoke/ })).toBeVisible();
        await check(page, 'revoke-page');
      });

      test('the lifecycle pages: rotate, pause, expiration, allowlist, edit, policy, revoke all', async ({ page }) => {
        await signIn(page, 'owner@agency.test');
        const name = uniqueName('Axe lifecycle');
        await createToken(page, name, { expiration: '7 days' });
        await page.getByRole('dialog', { name: 'Token created' }).getByRole('button', { name: 'Done' }).click();
        await expect(tokenRow(page, name).getByText('Expires soon')).toBeVisible();
        await check(page, 'list-expiring');
        for (const [role, link, heading, state] of [
          ['button', `Rotate ${name}`, 'Rotate token', 'rotate-dialog'],
          ['button', `Pause ${name}`, `Pause “${name}”?`, 'pause-dialog'],
          ['link', `Change the expiration of ${name}`, `Change the expiration of “${name}”`, 'expiration'],
          ['link', `Allowed IP addresses of ${name}`, `Allowed IP addresses of “${name}”`, 'ip-allowlist'],
          ['link', `Edit access of ${name}`, `Edit access of “${name}”`, 'edit'],
        ] as const) {
          await page.goto('/agents/tokens');
          await waitForHydration(page);
          await page.getByRole(role, { name: link }).click();
          await expect(page.getByRole('heading', { name: heading })).toBeVisible();
          await check(page, state);
        }
        await page.getByRole('button', { name: 'Review changes' }).click();
        await check(page, 'edit-unchanged');
        const rotateHref = (await page.goto('/agents/tokens'), await page.getByRole('button', { name: `Rotate ${name}` }).getAttribute('href'));
        await page.goto(rotateHref!);
        await check(page, 'rotate-page');
        await page.goto('/agents/tokens/policy');
        await check(page, 'policy');
        await page.goto('/agents/tokens/emergency');
        await check(page, 'emergency');
        await page.getByRole('button', { name: 'Review tokens' }).click();
        await expect(page.getByLabel(/Type the account name/)).toBeVisible();
        await check(page, 'emergency-confirm');
      });

      test("a token's detail page and the narrow confirmation", async ({ page, request }) => {
        await signIn(page, 'owner@agency.test');
        const name = uniqueName('Axe activity');
        const secret = await createToken(page, name, { scopes: ['domains:read', 'mailboxes:read'] });
        await page.getByRole('dialog', { name: 'Token created' }).getByRole('button', { name: 'Done' }).click();
        for (const path of ['/api/v1/domains', '/api/v1/domains/987654']) {
          await request.get(path, { headers: { Authorization: `Bearer ${secret}` } });
        }
        await page.getByRole('link', { name, exact: true }).click();
        await expect(async () => {
          await page.reload();
          await expect(page.getByRole('img', { name: /2 in all/ })).toBeVisible({ timeout: 1_000 });
        }).toPass({ timeout: 15_000 });
        await check(page, 'token-detail');
        await page.getByRole('link', { name: 'Narrow to what it used' }).click();
        await expect(page.getByRole('button', { name: 'Narrow token' })).toBeVisible();
        await check(page, 'narrow');
      });

      test('webhooks: list, add form and its refusal, the secret, an endpoint with a delivery', async ({ page }) => {
        await signIn(page, 'owner@agency.test');
        await page.goto('/agents/webhooks');
        await check(page, 'webhooks');
        await page.getByRole('link', { name: 'Add endpoint' }).click();
        await check(page, 'webhook-new');
        await page.getByLabel('Endpoint URL').fill('ftp://example.com/');
        await page.getByRole('button', { name: 'Add endpoint' }).click();
        await expect(page.getByText('Only http:// and https://')).toBeVisible();
        await check(page, 'webhook-refused');
        // Nothing listens on the discard port: the delivery is refused and shown as retrying.
        await page.getByLabel('Endpoint URL').fill(`http://127.0.0.1:9/${uniqueName('axe').replace(/\W/g, '')}`);
        await page.getByRole('button', { name: 'Add endpoint' }).click();
        await expect(page.getByLabel('Signing secret')).toBeVisible();
        await check(page, 'webhook-secret');
        await page.getByRole('link', { name: 'Done' }).click();
        await page.getByRole('button', { name: 'Send test event' }).click();
        await expect(async () => {
          await page.reload();
          await expect(page.getByText('1 attempt')).toBeVisible({ timeout: 1_000 });
        }).toPass({ timeout: 15_000 });
        await page.getByText('1 attempt').click();
        await check(page, 'webhook-detail');
        await page.getByRole('link', { name: 'Delete endpoint…' }).click();
        await expect(page.getByRole('group', { name: 'Delete this endpoint?' })).toBeVisible();
        await check(page, 'webhook-delete');
        await page.getByRole('button', { name: 'Delete endpoint' }).click();
        await expect(page.getByRole('status').filter({ hasText: 'Endpoint deleted' })).toBeVisible();
      });
    });
  }
}

async function expectAccessible(page: Page, state: string) {
  // Let transitions and late styles settle: axe reads computed colours.
  await page.waitForTimeout(300);
  const results = await new AxeBuilder({ page }).withTags(RULES).analyze();
  const found = results.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1] ?? ''}`).join(' | ')}`,
  );
  if (process.env.SCREENSHOTS) {
    await page.screenshot({ path: `${process.env.SCREENSHOTS}/${state}.png`, fullPage: true });
  }
  expect(found, `axe on ${state}`).toEqual([]);
}
