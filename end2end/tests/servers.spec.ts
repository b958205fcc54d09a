// Two app servers sharing one PostgreSQL database: what is done on one server holds on the other
// at once (tokens, revocations, the Audit Log, the sign-in throttle).
//
// Run by `make e2e-pg` (not by `make e2e`; playwright.config.ts ignores this file): it starts a
// private PostgreSQL cluster, creates an empty database, runs
// `npx playwright test -c pg.config.ts` with E2E_DATABASE_URL naming that database (the config
// starts release servers A and B on it; A migrates it and seeds the demo accounts first), and
// stops the cluster afterwards, even when a test failed.
import { expect, test, type APIRequestContext } from '@playwright/test';
import {
  closeReveal,
  createToken,
  expectCreatedAndRevokedInAuditLog,
  listReloaded,
  signIn,
  tokenRow,
  uniqueName,
  waitForHydration,
} from './helpers';
import { serverA, serverB } from './servers';

const OWNER = 'owner@pro.test';
/** The sign-in server function (`#[server(endpoint = "sign_in")]` under Leptos' `/api` prefix),
 * where the sign-in form posts. */
const SIGN_IN = '/api/sign_in';

test.describe.configure({ mode: 'serial' });

function escapeRegExp(text: string) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `GET {server}/api/v1/me` with the token; the response. */
function me(request: APIRequestContext, server: string, token: string) {
  return request.get(`${server}/api/v1/me`, { headers: { Authorization: `Bearer ${token}` } });
}

async function expectAccepted(request: APIRequestContext, server: string, token: string, name: string) {
  const response = await me(request, server, token);
  expect(response.status(), `${server} accepts the token`).toBe(200);
  expect((await response.json()).name).toBe(name);
}

async function expectRefused(request: APIRequestContext, server: string, token: string) {
  const response = await me(request, server, token);
  expect(response.status(), `${server} refuses the revoked token`).toBe(401);
  expect((await response.json()).error.code).toBe('invalid_token');
}

test.describe('two app servers sharing one PostgreSQL database', () => {
  test('a token created on A works on both; revoked on B, both refuse it at once; both audit it', async ({
    page,
    browser,
    request,
  }) => {
    const name = uniqueName('Two servers');
    let token = '';

    await test.step('a. on server A, the owner creates an ops token', async () => {
      await signIn(page, OWNER); // `page` has baseURL = server A
      token = await createToken(page, name);
      await closeReveal(page);
      await expect(tokenRow(page, name).getByText('Active', { exact: true })).toBeVisible();
    });

    await test.step('b. the API accepts the token on both servers', async () => {
      await expectAccepted(request, serverA, token, name);
      await expectAccepted(request, serverB, token, name);
    });

    // Cookies are not kept per port: A's session cookie (host 127.0.0.1, Path=/) is also sent to
    // B, and B accepts it, because sessions live in the shared database. So A's browser context
    // is already signed in on B. The revocation is still done from a context of its own that
    // signs in on B's own sign-in page, as a second person or browser would.
    const contextB = await browser.newContext({ baseURL: serverB });
    const pageB = await contextB.newPage();
    try {
      await test.step("c. A's session is good on B too; the owner signs in on B and revokes the token there", async () => {
        await page.goto(`${serverB}/agents/tokens`);
        await expect(page).toHaveURL(new RegExp(`^${escapeRegExp(serverB)}/agents/tokens`));
        await expect(page.getByRole('heading', { name: 'AI Agents & API' })).toBeVisible();

        await signIn(pageB, OWNER);
        await pageB.getByRole('button', { name: `Revoke ${name}`, exact: true }).click();
        const confirm = pageB.getByRole('dialog', { name: `Revoke “${name}”?` });
        await expect(confirm.getByText('This cannot be undone.')).toBeVisible();
        // Used on both servers just before the revoke: a server that kept what it had read
        // (a cache that cannot hear of the other server's revoke) would answer 200 in step d.
        for (let use = 0; use < 2; use++) {
          await expectAccepted(request, serverA, token, name);
          await expectAccepted(request, serverB, token, name);
        }
        await confirm.getByRole('button', { name: 'Revoke token' }).click();
        // The confirmation appears once B has stored the revoke.
        await expect(pageB.getByRole('status').filter({ hasText: `“${name}” was revoked.` })).toBeVisible();
      });

      await test.step('d. the very next API call on both servers answers 401', async () => {
        // No waiting and no retries: refused by the first call after the revoke was confirmed.
        await expectRefused(request, serverA, token);
        await expectRefused(request, serverB, token);
        await listReloaded(pageB, 'revoked');
        await expect(tokenRow(pageB, name).getByText('Revoked', { exact: true })).toBeVisible();
      });

      await test.step('e. the Audit Log on A and on B both show its creation and revocation', async () => {
        // A's list shows the revoke made on B, and who made it.
        await page.goto('/agents/tokens');
        await waitForHydration(page);
        await page.getByRole('navigation', { name: 'Status' }).getByRole('link', { name: 'Revoked' }).click();
        await expect(tokenRow(page, name)).toContainText(`by ${OWNER}`);
        await expectCreatedAndRevokedInAuditLog(page, name, OWNER);
        await expectCreatedAndRevokedInAuditLog(pageB, name, OWNER);
      });
    } finally {
      await contextB.close();
    }
  });

  test('f. the sign-in throttle counts failures made on either server', async ({ page, request }) => {
    // The throttle counts failed attempts per email + IP pair (5 free within 15 minutes, then a
    // wait of 1 s, 2 s, 4 s …). An email no account and no other test uses, so nothing else counts
    // against it; every attempt here comes from 127.0.0.1.
    const email = `nobody-${Date.now().toString(36)}@throttle.test`;
    const fail = (server: string) =>
      request.post(`${server}${SIGN_IN}`, {
        form: { email, password: 'not-the-password' },
        headers: { Accept: 'application/json' },
        maxRedirects: 0,
      });

    // After the 5 free failures each further one must wait 1 s, then 2 s, then 4 s after the
    // previous. The refusal is checked in the 4-second wait, so a slow machine cannot let the
    // attempt through by taking longer than the wait.
    await page.goto('/sign-in'); // server A
    await waitForHydration(page);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('not-the-password');

    await test.step('3 failed sign-ins on A and 2 on B are all checked and refused', async () => {
      for (const server of [serverA, serverA, serverA, serverB, serverB]) {
        const response = await fail(server);
        expect(response.status(), `a failed sign-in on ${server}`).toBe(401);
        expect(await response.text()).toContain('Incorrect email or password.');
      }
    });

    await test.step('the next attempts wait 1 s, then 2 s, whichever server they reach', async () => {
      // Each attempt waits out the delay first, so none is refused here however slow the machine.
      await page.waitForTimeout(1_100);
      expect((await fail(serverB)).status(), 'after the wait, the 6th failure is checked').toBe(401);
      await page.waitForTimeout(2_100);
      expect((await fail(serverA)).status(), 'after 2 s more, the 7th').toBe(401);
    });

    // A has now seen 4 failures and B 3: had each counted alone, neither would refuse anything.
    await test.step('the 8th attempt must wait 4 s, on B and on A\'s sign-in page', async () => {
      const onB = await fail(serverB);
      expect(onB.status(), 'B refuses the 8th attempt').toBe(429);
      expect(Number(onB.headers()['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(onB.headers()['retry-after'])).toBeLessThanOrEqual(4);
      expect(await onB.text()).toContain('Too many failed sign-in attempts. Try again in');

      // The same refusal as a person sees it on A's sign-in page.
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert')).toContainText('Too many failed sign-in attempts. Try again in');
      await expect(page).toHaveURL(/\/sign-in(\?|$)/);
    });
  });
});
