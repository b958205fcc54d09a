import { defineConfig } from '@playwright/test';
import base from './playwright.config';
import { addrA, addrB, serverA, serverB } from './tests/servers';

// `make e2e-pg`: two release servers sharing one (empty, private) PostgreSQL database, and
// `tests/servers.spec.ts` checking that what one server does the other sees at once.
const databaseUrl = process.env.E2E_DATABASE_URL;
if (!databaseUrl) {
  throw new Error(
    'pg.config.ts needs E2E_DATABASE_URL (a postgres:// URL of an empty database). '
      + '`make e2e-pg` sets it: it starts a private PostgreSQL cluster and creates the database.',
  );
}

function server(addr: string, url: string) {
  return {
    command: './target/release/trekmail-tokens',
    cwd: '..',
    url: `${url}/healthz`,
    timeout: 60_000,
    // A server already on the port would be tested with someone else's data: refuse it.
    reuseExistingServer: false,
    stdout: 'pipe' as const,
    stderr: 'pipe' as const,
    env: {
      LEPTOS_SITE_ADDR: addr,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_OUTPUT_NAME: 'trekmail-tokens',
      DATABASE_URL: databaseUrl!,
      // Seeds the demo accounts, only into a database that has no account yet.
      TREKMAIL_DEMO: '1',
      RUST_LOG: 'warn',
    },
  };
}

// The same Chromium as `make e2e` (Debian's, with its launch flags).
const chromium = base.projects!.find((project) => project.name === 'chromium')!;

export default defineConfig({
  testDir: './tests',
  testMatch: /servers\.spec\.ts/,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 1,
  reporter: [['list']],
  // Playwright starts these one after the other, in this order, each only once the previous
  // answered at its `url` (a task per server, awaited in turn). Server A binds its port only
  // after it has migrated and seeded the empty database, so B starts against a database that
  // already has its tables and the demo accounts: the two never race to create them, and B's
  // TREKMAIL_DEMO finds accounts and seeds nothing.
  webServer: [server(addrA, serverA), server(addrB, serverB)],
  use: {
    baseURL: serverA,
    trace: 'retain-on-failure',
  },
  projects: [{ name: 'chromium', use: chromium.use }],
});
