// The main journeys of an owner, run twice: with JavaScript (the dialogs) and without it (the
// pages and plain HTML forms that stand in for them; the `no-javascript` project). The first
// HTML of every page holds the real content, so both ways start from the same page.
import { expect, test, type Page } from '@playwright/test';
import { PASSWORD, dateInDays, listReloaded, tokenRow, uniqueName, waitForHydration } from './helpers';

function scriptOn(page: Page): boolean {
  return test.info().project.use.javaScriptEnabled !== false;
}

async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.goto('/sign-in');
  if (scriptOn(page)) await waitForHydration(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function ready(page: Page) {
  if (scriptOn(page)) await waitForHydration(page);
}

/** Creates a token the way this browser can and returns its plaintext from the reveal. */
async function createToken(page: Page, name: string, expiryDate: string): Promise<string> {
  await page.getByRole('button', { name: 'Create token' }).first().click();
  const form = scriptOn(page)
    ? page.getByRole('dialog', { name: 'Create token' })
    : page.getByRole('region', { name: 'Create token' });
  if (!scriptOn(page)) await expect(page).toHaveURL(/\/agents\/tokens\/new$/);
  await form.getByLabel('Name').fill(name);
  await form.getByLabel('Custom date').check();
  // Shown by CSS once "Custom date" is checked, with or without the script.
  await form.getByLabel('Expiration date').fill(expiryDate);
  await form.getByRole('checkbox', { name: 'mailboxes:forwarding:write', exact: true }).uncheck();
  await form.getByRole('button', { name: 'Create token' }).click();
  const reveal = scriptOn(page)
    ? page.getByRole('dialog', { name: 'Token created' })
    : page.getByRole('region', { name: 'Token created' });
  await expect(reveal.getByText('will not be shown again')).toBeVisible();
  const token = await reveal.getByLabel('Your new token').inputValue();
  expect(token).toMatch(/^tm_live_[A-Za-z0-9]{38}$/);
  if (!scriptOn(page)) {
    // Nothing that needs the script is offered without it.
    await expect(reveal.getByRole('button', { name: 'Copy' })).toBeHidden();
  }
  await expect(reveal.getByRole('link', { name: 'Download' })).toBeVisible();
  if (scriptOn(page)) {
    await reveal.getByRole('button', { name: 'Done' }).click();
    await listReloaded(page, 'created');
  } else {
    await reveal.getByRole('link', { name: 'Done' }).click();
    await expect(page).toHaveURL(/created=\d+/);
  }
  await expect(page.getByRole('status').filter({ hasText: `“${name}” was created.` })).toBeFocused();
  return token;
}

test('an owner signs in, creates, finds, revokes and audits a token, and signs out', async ({ page, request }) => {
  await signIn(page, 'owner@pro.test', 'not-the-password');
  await expect(page.getByRole('alert')).toHaveText('Incorrect email or password.');
  await signIn(page, 'owner@pro.test');
  await expect(page).toHaveURL(/\/agents\/tokens$/);
  await expect(page.getByRole('heading', { name: 'API tokens', exact: true })).toBeVisible();
  await ready(page);

  const name = uniqueName(scriptOn(page) ? 'Journey JS' : 'Journey no JS');
  const token = await createToken(page, name, dateInDays(20));
  const row = tokenRow(page, name);
  await expect(row).toContainText(token.slice(0, 16) + '…');
  await expect(row.getByText('Active', { exact: true })).toBeVisible();
  expect(await page.content()).not.toContain(token);
  const me = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  expect(me.status()).toBe(200);

  // Filters are links kept in the URL.
  const status = page.getByRole('navigation', { name: 'Status' });
  await status.getByRole('link', { name: 'Revoked' }).click();
  await expect(page).toHaveURL(/status=revoked/);
  await expect(tokenRow(page, name)).toHaveCount(0);
  await status.getByRole('link', { name: 'Active' }).click();
  await expect(tokenRow(page, name)).toBeVisible();
  await ready(page);

  // Search by name and by the visible prefix, and sort: a plain GET form, kept in the URL.
  const find = page.getByRole('search', { name: 'Find tokens' });
  await find.getByLabel('Name or prefix').fill(name.toUpperCase());
  await find.getByLabel('Sort by').selectOption({ label: 'Expiring soonest' });
  await find.getByRole('button', { name: 'Apply' }).click();
  await expect(page).toHaveURL(/status=active&q=.+&sort=expires/);
  await expect(page.getByRole('row')).toHaveCount(2);
  await expect(tokenRow(page, name)).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Status' }).getByRole('link', { name: 'All' })).toContainText('1');
  await find.getByLabel('Name or prefix').fill(token.slice(0, 16) + '…');
  await find.getByRole('button', { name: 'Apply' }).click();
  await expect(tokenRow(page, name)).toBeVisible();
  await find.getByLabel('Name or prefix').fill('no token is called this');
  await find.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('heading', { name: 'No tokens match this filter' })).toBeVisible();
  await page.getByRole('link', { name: 'Clear search' }).click();
  await expect(tokenRow(page, name)).toBeVisible();
  await ready(page);

  // Revoking asks first.
  await page.getByRole('button', { name: `Revoke ${name}` }).click();
  const confirm = scriptOn(page)
    ? page.getByRole('dialog', { name: `Revoke “${name}”?` })
    : page.getByRole('region', { name: `Revoke “${name}”?` });
  await expect(confirm.getByText('This cannot be undone.')).toBeVisible();
  await confirm.getByRole('button', { name: 'Revoke token' }).click();
  if (scriptOn(page)) await listReloaded(page, 'revoked');
  else await expect(page).toHaveURL(/revoked=\d+/);
  await expect(page.getByRole('status').filter({ hasText: `“${name}” was revoked.` })).toBeVisible();
  const after = await request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
  expect(after.status()).toBe(401);

  // The revoked row says who revoked it, and offers a new token like it.
  await page.getByRole('navigation', { name: 'Status' }).getByRole('link', { name: 'Revoked' }).click();
  await expect(tokenRow(page, name)).toContainText('by owner@pro.test');
  await ready(page);
  await tokenRow(page, name).getByRole('button', { name: `Create a token like ${name}` }).click();
  const similar = scriptOn(page)
    ? page.getByRole('dialog', { name: 'Create token' })
    : page.getByRole('region', { name: 'Create token' });
  await expect(similar.getByText(`Filled in from “${name}”`)).toBeVisible();
  await expect(similar.getByLabel('Name')).toHaveValue(name);
  await expect(similar.getByRole('checkbox', { name: 'mailboxes:forwarding:write', exact: true })).not.toBeChecked();
  await expect(similar.getByRole('checkbox', { name: 'mailboxes:read', exact: true })).toBeChecked();
  // Cancel is a button in the dialog and a link back to the list on the page.
  await similar.getByRole(scriptOn(page) ? 'button' : 'link', { name: 'Cancel' }).click();
  await expect(page).toHaveURL(/\/agents\/tokens/);

  // The Audit Log, filtered.
  await page.getByRole('link', { name: 'Audit Log' }).click();
  await expect(page).toHaveURL(/\/agents\/audit-log/);
  await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(2);
  await page.getByRole('navigation', { name: 'Action' }).getByRole('link', { name: 'Token revoked', exact: true }).click();
  await expect(page).toHaveURL(/action=token_revoked/);
  await expect(page.getByRole('row').filter({ hasText: name })).toHaveCount(1);

  await ready(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.goto('/agents/tokens');
  await expect(page).toHaveURL(/\/sign-in$/);
});

test('a refused creation keeps what was typed and shows each message by its field', async ({ page }) => {
  await signIn(page, 'owner@starter.test');
  await expect(page).toHaveURL(/\/agents\/tokens$/);
  await ready(page);
  await page.getByRole('button', { name: 'Create token' }).first().click();
  const form = scriptOn(page)
    ? page.getByRole('dialog', { name: 'Create token' })
    : page.getByRole('region', { name: 'Create token' });
  await form.getByLabel('Custom date').check();
  await form.getByLabel('Expiration date').fill('2001-01-01');
  await form.getByRole('button', { name: 'Create token' }).click();
  await expect(form.getByRole('region', { name: 'There are 2 problems' })).toBeFocused();
  await expect(form.getByLabel('Name')).toHaveAccessibleDescription('Enter a name for the token.');
  await expect(form.getByLabel('Expiration date')).toHaveAccessibleDescription(/must be in the future/);
  await expect(form.getByLabel('Expiration date')).toHaveValue('2001-01-01');
  await expect(form.getByLabel('Name')).toHaveAttribute('aria-invalid', 'true');
});
