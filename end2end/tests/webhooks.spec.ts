// Signed webhooks, end to end: the owner adds an endpoint on the Webhooks tab (the secret is shown
// once), sends a test event and creates a token; a receiver on this machine checks every request
// with the Standard Webhooks reference library, and the endpoint's page shows the deliveries.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { Webhook } from 'standardwebhooks';
import { closeReveal, createToken, signIn, uniqueName } from './helpers';

type Received = { headers: IncomingHttpHeaders; body: string };

/** A receiver on 127.0.0.1 (the test server runs with TREKMAIL_WEBHOOKS_ALLOW_PRIVATE=1). */
async function startReceiver(): Promise<{ url: string; got: Received[]; server: Server }> {
  const got: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      got.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/hooks/trekmail`, got, server };
}

/** The events received so far, each verified with the endpoint's secret (throws if one is not). */
function verified(got: Received[], secret: string): Array<{ type: string; data: any }> {
  const verifier = new Webhook(secret);
  return got.map(({ headers, body }) => verifier.verify(body, headers as Record<string, string>) as any);
}

test('webhooks: add an endpoint, send a test event, get a token event, all signed', async ({ page }) => {
  const receiver = await startReceiver();
  try {
    await signIn(page, 'owner@labs.test');
    await page.getByRole('navigation', { name: 'AI Agents & API sections' }).getByRole('link', { name: 'Webhooks' }).click();
    await expect(page.getByRole('heading', { name: 'Webhooks', level: 2 })).toBeVisible();
    await page.getByRole('link', { name: 'Add endpoint' }).click();

    // A URL that is not http(s) is refused next to its field.
    await page.getByLabel('Endpoint URL').fill('ftp://example.com/hook');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByText('Only http:// and https:// URLs can receive webhooks.')).toBeVisible();

    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await expect(page.getByRole('checkbox', { name: /token\.created/ })).toBeChecked();
    await page.getByRole('checkbox', { name: /token\.paused/ }).uncheck();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    await expect(page.getByRole('heading', { name: 'Endpoint added' })).toBeVisible();
    const secret = await page.getByLabel('Signing secret').inputValue();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    await page.getByRole('link', { name: 'Done' }).click();
    await expect(page.getByRole('heading', { name: receiver.url })).toBeVisible();
    await expect(page.getByText(secret)).toHaveCount(0);

    await page.getByRole('button', { name: 'Send test event' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Test event queued' })).toBeVisible();
    await expect.poll(() => verified(receiver.got, secret).map((event) => event.type), { timeout: 15_000 }).toContain('webhook.test');
    const deliveries = page.getByRole('region', { name: 'Recent deliveries' });
    await expect(async () => {
      await page.reload();
      await expect(deliveries.getByRole('row').filter({ hasText: 'webhook.test' })).toContainText('Delivered', { timeout: 1_000 });
    }).toPass({ timeout: 15_000 });
    await deliveries.getByText('1 attempt').click();
    await expect(deliveries.getByText(/HTTP 204/)).toBeVisible();

    // A token change reaches the endpoint, signed, naming the token.
    await page.goto('/agents/tokens');
    const name = uniqueName('Hooked');
    await createToken(page, name);
    await closeReveal(page);
    await expect
      .poll(() => verified(receiver.got, secret).filter((event) => event.type === 'token.created').map((event) => event.data.token.name), { timeout: 15_000 })
      .toContain(name);
    const ids = receiver.got.map((received) => received.headers['webhook-id']);
    expect(new Set(ids).size).toBe(ids.length);

    // The list shows the endpoint and how its latest delivery went; deleting it is audited.
    await page.goto('/agents/webhooks');
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: receiver.url }) });
    await expect(row).toContainText('token.created');
    await expect(row).not.toContainText('token.paused');
    await row.getByRole('link', { name: receiver.url }).click();
    // Deleting asks first; Cancel keeps the endpoint.
    await page.getByRole('link', { name: 'Delete endpoint…' }).click();
    const question = page.getByRole('group', { name: 'Delete this endpoint?' });
    await expect(question).toContainText('This cannot be undone');
    await question.getByRole('link', { name: 'Cancel' }).click();
    await expect(question).toHaveCount(0);
    await page.getByRole('link', { name: 'Delete endpoint…' }).click();
    await question.getByRole('button', { name: 'Delete endpoint' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Endpoint deleted' })).toBeVisible();
    await expect(page.getByRole('rowheader', { name: receiver.url })).toHaveCount(0);
  } finally {
    receiver.server.close();
  }
});
