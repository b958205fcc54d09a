// What did this token do? Its detail page (chart, requests, filters, addresses, history),
// "Narrow to what it used", and the Tokens page's "Needs attention" links, by role and label.
import { readFile } from 'node:fs/promises';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { closeReveal, createToken, signIn, uniqueName } from './helpers';

const auth = (secret: string) => ({ Authorization: `Bearer ${secret}` });

async function call(request: APIRequestContext, secret: string, path: string) {
  return request.get(path, { headers: auth(secret) });
}

/** The token's page, reloaded until the request log (written within a fraction of a second) shows `calls`. */
async function openDetail(page: Page, name: string, calls: number) {
  await page.goto('/agents/tokens');
  await page.getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { name, level: 2 })).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole('img', { name: new RegExp(`last 30 days: ${calls} in all`) })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
}

test('the detail page shows what a token did, filtered by status and route', async ({ page, request }) => {
  await signIn(page, 'owner@pro.test');
  const name = uniqueName('Activity');
  const secret = await createToken(page, name, { scopes: ['domains:read', 'mailboxes:read'] });
  await closeReveal(page);
  expect((await call(request, secret, '/api/v1/me')).status()).toBe(200);
  expect((await call(request, secret, '/api/v1/domains')).status()).toBe(200);
  expect((await call(request, secret, '/api/v1/domains/987654')).status()).toBe(404);

  await openDetail(page, name, 3);
  await expect(page.getByRole('img', { name: /3 in all, 2 succeeded, 1 failed/ })).toBeVisible();
  const addresses = page.getByRole('region', { name: 'The last five addresses it was used from' });
  await expect(addresses.getByRole('rowheader', { name: '127.0.0.1' })).toBeVisible();
  const requests = page.getByRole('region', { name: 'Recent requests, last first' });
  await expect(requests.getByRole('row')).toHaveCount(4); // the header and three requests
  await expect(requests.getByRole('rowheader', { name: 'GET /api/v1/domains/{id}' })).toBeVisible();
  await expect(page.getByRole('list').getByText('Token created')).toBeVisible();

  // Refused requests only, then one route: both kept in the URL.
  await page.getByRole('navigation', { name: 'Status' }).getByRole('link', { name: 'Refused (4xx)' }).click();
  await expect(page).toHaveURL(/class=4xx/);
  await expect(requests.getByRole('row')).toHaveCount(2);
  await expect(requests.getByText('404 not_found')).toBeVisible();
  await page.getByRole('navigation', { name: 'Status' }).getByRole('link', { name: 'All' }).click();
  await page.getByLabel('Route').selectOption('/api/v1/me');
  await page.getByRole('button', { name: 'Filter' }).click();
  await expect(page).toHaveURL(/route=%2Fapi%2Fv1%2Fme/);
  await expect(requests.getByRole('row')).toHaveCount(2);
  await expect(requests.getByRole('rowheader', { name: 'GET /api/v1/me' })).toBeVisible();
});

test('narrow to what it used keeps only the scopes its requests needed', async ({ page, request }) => {
  await signIn(page, 'owner@pro.test');
  const name = uniqueName('Narrow');
  const secret = await createToken(page, name, { scopes: ['domains:read', 'mailboxes:read', 'account:read'] });
  await closeReveal(page);
  expect((await call(request, secret, '/api/v1/domains')).status()).toBe(200);

  await openDetail(page, name, 1);
  const usage = page.getByRole('region', { name: 'Scopes granted and used (last 30 days)' });
  await expect(usage.getByText('domains:read')).toBeVisible();
  await usage.getByRole('link', { name: 'Narrow to what it used' }).click();
  await expect(page.getByRole('heading', { name: `Narrow “${name}” to what it used` })).toBeVisible();
  await expect(page.getByText('Scopes removed: account:read, mailboxes:read')).toBeVisible();
  await page.getByRole('button', { name: 'Narrow token' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'Token narrowed' })).toBeVisible();
  await expect(page.getByRole('list').getByText('Token narrowed')).toBeVisible();

  const me = await (await call(request, secret, '/api/v1/me')).json();
  expect(me.scopes).toEqual(['domains:read']);
  expect((await call(request, secret, '/api/v1/mailboxes')).status()).toBe(403);
});

test('needs attention links to the tokens that need a look', async ({ page }) => {
  await signIn(page, 'owner@pro.test');
  const name = uniqueName('Forever');
  await createToken(page, name, { expiration: 'Never' });
  await closeReveal(page);
  await page.goto('/agents/tokens');
  const panel = page.getByRole('region', { name: 'Needs attention' });
  await panel.getByRole('link', { name: /tokens? never expire/ }).click();
  await expect(page).toHaveURL(/attention=never_expires/);
  await expect(page.getByText('Showing: Live tokens that never expire')).toBeVisible();
  await expect(page.getByRole('rowheader', { name, exact: true })).toBeVisible();
  await page.getByRole('link', { name: 'Show all tokens' }).click();
  await expect(page).toHaveURL(/\/agents\/tokens$/);
});

test('a leak report revokes a live token at once, and the owner is told', async ({ page, request }) => {
  // The Starter account: its banner then stays out of the other tests' way.
  await signIn(page, 'owner@starter.test');
  const name = uniqueName('Leaked');
  const secret = await createToken(page, name, { scopes: ['domains:read'] });
  await closeReveal(page);
  expect((await call(request, secret, '/api/v1/me')).status()).toBe(200);

  // Whoever found it reports it, without any token.
  const reported = await request.post('/api/v1/credentials/revoke', { data: { credentials: [secret, 'tm_live_nonsense'] } });
  expect(reported.status()).toBe(202);
  const refused = await call(request, secret, '/api/v1/me');
  expect(refused.status()).toBe(401);
  expect((await refused.json()).error.message).toContain('revoked');

  await page.goto('/agents/tokens');
  await expect(page.getByText(/revoked after a leak report/)).toBeVisible();
  await page.getByRole('link', { name: 'Where the reports came from' }).click();
  await expect(page.getByRole('region', { name: 'Audit events, newest first' }).getByText('Reported leaked').first()).toBeVisible();
  await page.goto('/agents/tokens');
  await page.getByRole('link', { name, exact: true }).click();
  const history = page.getByRole('region', { name: 'History' });
  await expect(history.getByText('Reported leaked')).toBeVisible();
  await expect(history.getByText(/Leak report · 127\.0\.0\.1/)).toBeVisible();
});

test('the audit log is searched, and exported as CSV and JSON Lines', async ({ page }) => {
  await signIn(page, 'owner@pro.test');
  const name = uniqueName('Audited');
  await createToken(page, name, { scopes: ['domains:read'] });
  await closeReveal(page);
  await page.getByRole('link', { name: 'Audit Log', exact: true }).click();
  const search = page.getByRole('search', { name: 'Search the audit log' });
  await search.getByLabel('Token name or prefix').fill(name);
  await search.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/token=/);
  const events = page.getByRole('region', { name: 'Audit events, newest first' });
  await expect(events.getByRole('row')).toHaveCount(2);
  await expect(events.getByText('Token created')).toBeVisible();

  const csvDownload = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const csv = await csvDownload;
  expect(csv.suggestedFilename()).toMatch(/^trekmail-audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
  const csvLines = (await readFile((await csv.path())!, 'utf8')).trim().split('\n');
  expect(csvLines[0]).toBe('id,time,action,token_name,token_prefix,actor,ip,user_agent,detail');
  expect(csvLines).toHaveLength(2);
  expect(csvLines[1]).toContain(`token_created,${name},tm_live_`);

  const jsonDownload = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export JSON Lines' }).click();
  const jsonl = await jsonDownload;
  const rows = (await readFile((await jsonl.path())!, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ action: 'token_created', token_name: name, actor: 'owner@pro.test' });

  // Each export is itself in the log.
  await page.goto('/agents/audit-log?action=audit_log_exported');
  await expect(events.getByText(`JSON Lines export of token “${name}”`)).toBeVisible();
  await expect(events.getByText(`CSV export of token “${name}”`)).toBeVisible();
  // A bad date is explained, not an error page.
  await page.goto('/agents/audit-log?from=2026-02-30');
  await expect(page.getByRole('alert')).toContainText('is not a date; write it as YYYY-MM-DD');
});
