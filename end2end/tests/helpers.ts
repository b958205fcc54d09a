// Helpers split as the Leptos examples do: find, act, check. Elements are found by role and label.
import { expect, type Page } from '@playwright/test';

export const PASSWORD = 'trekmail-demo';

/** A token name no other test uses. */
export function uniqueName(label: string): string {
  return `${label} ${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

/** What the page reported (uncaught errors, console errors), for a failure to name its cause. */
const reports = new WeakMap<Page, string[]>();
function watch(page: Page) {
  if (reports.has(page)) return;
  const seen: string[] = [];
  reports.set(page, seen);
  page.on('pageerror', (error) => seen.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') seen.push(`console: ${message.text()}`);
  });
  page.on('requestfailed', (request) => seen.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));
  // Which response each page came from (its status and policy), for a page that never starts.
  page.on('response', (response) => {
    const request = response.request();
    if (!request.isNavigationRequest() || request.frame() !== page.mainFrame()) return;
    const policy = response.headers()['content-security-policy'] ?? '(none)';
    seen.push(`page: ${request.method()} ${response.url()} ${response.status()} policy ${policy.slice(0, 40)}`);
  });
}

export async function signIn(page: Page, email: string) {
  watch(page);
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/agents\/tokens/);
  await expect(page.getByRole('heading', { name: 'AI Agents & API' })).toBeVisible();
  await waitForHydration(page);
}

/** Buttons only work once the WASM has hydrated the page. */
export async function waitForHydration(page: Page) {
  try {
    await page.waitForFunction(() => (window as any).__leptos_hydrated === true, undefined, { timeout: 30_000 });
  } catch (error) {
    const seen = reports.get(page) ?? ['(nothing reported; call signIn first to watch the page)'];
    throw new Error(`the page never became ready at ${page.url()}; it reported:\n${seen.join('\n')}\n${error}`);
  }
}

export function createDialog(page: Page) {
  return page.getByRole('dialog', { name: 'Create token' });
}

export async function openCreateDialog(page: Page) {
  // In about one CI run in fifty, the first click right after signing in did not open the dialog
  // (cause not found; no person clicks that fast). Click again until it opens.
  await expect(async () => {
    if (!(await createDialog(page).isVisible())) {
      await page.getByRole('button', { name: 'Create token' }).first().click();
    }
    await expect(createDialog(page)).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 15_000 });
  return createDialog(page);
}

/** Creates a token through the dialog and returns its plaintext from the reveal panel. */
export async function createToken(
  page: Page,
  name: string,
  options: { expiration?: string; date?: string; scopes?: string[] } = {},
): Promise<string> {
  const dialog = await openCreateDialog(page);
  await dialog.getByLabel('Name').fill(name);
  if (options.expiration) await dialog.getByLabel(options.expiration, { exact: true }).check();
  if (options.date) await dialog.getByLabel('Expiration date').fill(options.date);
  if (options.scopes) {
    await dialog.getByRole('button', { name: 'Clear' }).click();
    for (const scope of options.scopes) await dialog.getByRole('checkbox', { name: scope, exact: true }).check();
  }
  await dialog.getByRole('button', { name: 'Create token' }).click();
  const reveal = page.getByRole('dialog', { name: 'Token created' });
  await expect(reveal).toBeVisible();
  const token = await reveal.getByLabel('Your new token').inputValue();
  expect(token).toMatch(/^tm_live_[A-Za-z0-9]{38}$/);
  return token;
}

/** Closes the reveal; the list is then loaded again from the server, confirming the new token. */
export async function closeReveal(page: Page) {
  await page.getByRole('dialog', { name: 'Token created' }).getByRole('button', { name: 'Done' }).click();
  await listReloaded(page, 'created');
}

/** After a change in a dialog the server renders the list again, confirming it (the page then
 * takes `?created=ID` / `?revoked=ID` out of the address bar). */
export async function listReloaded(page: Page, change: 'created' | 'revoked') {
  await expect(page.getByRole('status').filter({ hasText: `was ${change}.` })).toBeVisible();
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await waitForHydration(page);
  await expect(page).not.toHaveURL(new RegExp(`[?&]${change}=`));
}

export function tokenRow(page: Page, name: string) {
  return page.getByRole('row').filter({ has: page.getByRole('rowheader', { name }) });
}

export function dateInDays(days: number): string {
  const date = new Date(Date.now() + days * 86_400_000);
  return date.toISOString().slice(0, 10);
}

/** The Audit Log, reached from the page's own link, lists the token's creation and revocation,
 * newest first, both by `actor`; returns the two rows. */
export async function expectCreatedAndRevokedInAuditLog(page: Page, name: string, actor: string) {
  await page.getByRole('link', { name: 'Audit Log' }).click();
  await expect(page).toHaveURL(/\/agents\/audit-log/);
  const rows = page.getByRole('row').filter({ hasText: name });
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('Token revoked');
  await expect(rows.nth(1)).toContainText('Token created');
  await expect(rows.nth(0)).toContainText(actor);
  await expect(rows.nth(1)).toContainText(actor);
  return rows;
}
