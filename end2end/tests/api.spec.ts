// A token made in the browser works against the REST API at once, shows its last use, mints a
// message token that appears under its mailbox, and stops working the moment it is revoked.
import { expect, test } from '@playwright/test';
import { closeReveal, createToken, signIn, tokenRow, uniqueName } from './helpers';

test('a token created in the dashboard calls the API until it is revoked', async ({ page, request }) => {
  await signIn(page, 'owner@agency.test');
  const name = uniqueName('Agent');
  const token = await createToken(page, name, {
    scopes: ['account:read', 'mailboxes:read', 'mailboxes:message-tokens:manage'],
  });
  await closeReveal(page);
  const requestId = `e2e-${Date.now().toString(36)}`;
  const auth = (secret: string) => ({ Authorization: `Bearer ${secret}`, 'X-Request-Id': requestId });

  const me = await request.get('/api/v1/me', { headers: auth(token) });
  expect(me.status()).toBe(200);
  expect(me.headers()['x-request-id']).toBe(requestId);
  const self = await me.json();
  expect(self.name).toBe(name);
  expect(self.capabilities.effective_scopes).toEqual(['account:read', 'mailboxes:read', 'mailboxes:message-tokens:manage']);

  const mailboxes = await (await request.get('/api/v1/mailboxes?search=inbox', { headers: auth(token) })).json();
  const mailbox = mailboxes.data[0];
  expect(mailbox.address).toBe('inbox@agency-clients.test');

  const minted = await request.post(`/api/v1/mailboxes/${mailbox.id}/message-tokens`, {
    headers: { ...auth(token), 'Idempotency-Key': `${requestId}-mint` },
    data: { name: `${name} inbox`, scopes: ['messages:read'], expires_in: '30d' },
  });
  expect(minted.status()).toBe(201);
  const messageToken = (await minted.json()).token as string;
  expect(messageToken).toMatch(/^tm_msg_/);
  const messages = await (await request.get('/api/v1/messages?limit=2', { headers: auth(messageToken) })).json();
  expect(messages.messages).toHaveLength(2);
  expect(messages.pagination.has_more).toBe(true);

  // The list shows the last use and the message token under its mailbox.
  await page.reload();
  // Exact: the message token's row header starts with the same name.
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  await expect(row.getByText('just now')).toBeVisible();
  await expect(row.getByText('from 127.0.0.1')).toBeVisible();
  const messageRow = tokenRow(page, `${name} inbox`);
  await expect(messageRow.getByText('Message token for inbox@agency-clients.test')).toBeVisible();
  await expect(messageRow.getByText('Active', { exact: true })).toBeVisible();
  await expect(messageRow.getByText('messages:read')).toBeVisible();
  await expect(page.getByRole('button', { name: `Revoke ${name} inbox` })).toBeVisible();

  // Revoked in the browser: the very next API call is refused, for the message token it minted too.
  await page.getByRole('button', { name: `Revoke ${name}`, exact: true }).click();
  const confirm = page.getByRole('dialog');
  await expect(confirm.getByText('The 1 message token it created will be revoked too:')).toBeVisible();
  await expect(confirm.getByText(`${name} inbox (tm_msg_`)).toBeVisible();
  await confirm.getByRole('button', { name: 'Revoke token' }).click();
  await expect(row.getByText('Revoked', { exact: true })).toBeVisible();
  await expect(messageRow.getByText('Revoked', { exact: true })).toBeVisible();
  const refusedMessage = await request.get('/api/v1/messages?limit=2', { headers: auth(messageToken) });
  expect(refusedMessage.status()).toBe(401);
  const refused = await request.get('/api/v1/me', { headers: auth(token) });
  expect(refused.status()).toBe(401);
  expect(refused.headers()['www-authenticate']).toContain('error="invalid_token"');
  expect((await refused.json()).error.code).toBe('invalid_token');

  // The audit log names the ops token as the actor of the message token's creation.
  await page.getByRole('link', { name: 'Audit Log' }).click();
  const audit = page.getByRole('row').filter({ hasText: `${name} inbox` });
  await expect(audit.getByText('Message token created')).toBeVisible();
  await expect(audit.getByText(`API token "${name}"`)).toBeVisible();
});
