import { defineConfig, devices } from '@playwright/test';

// `make e2e` builds the release server; Playwright starts it on its own port with a throw-away
// database seeded with the demo accounts, waits until it answers and stops it at the end.
const siteAddr = process.env.E2E_ADDR ?? '127.0.0.1:3210';
const baseURL = `http://${siteAddr}`;

// Debian's chromium (Playwright's own browser download is not reachable on these machines).
const launchOptions = {
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

export default defineConfig({
  testDir: './tests',
  // Needs two servers and PostgreSQL: `make e2e-pg` runs it with pg.config.ts.
  testIgnore: /servers\.spec\.ts/,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  // One retry absorbs a machine hiccup; the summary still names every test that needed it ("flaky").
  retries: 1,
  workers: 2,
  reporter: [['list']],
  webServer: {
    command: './target/release/trekmail-tokens',
    cwd: '..',
    url: `${baseURL}/healthz`,
    timeout: 60_000,
    // A server already on the port would be tested with someone else's data: refuse it.
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      LEPTOS_SITE_ADDR: siteAddr,
      LEPTOS_SITE_ROOT: 'target/site',
      LEPTOS_OUTPUT_NAME: 'trekmail-tokens',
      DATABASE_URL: 'sqlite://target/e2e/e2e.db',
      TREKMAIL_DEMO: '1',
      RUST_LOG: 'warn',
      // A rotation's "1 hour" of grace lasts 2 s, so a test watches the old secret stop.
      TREKMAIL_ROTATION_HOUR_MS: '2000',
      // The webhook test's receiver listens on 127.0.0.1, which production refuses (SSRF).
      TREKMAIL_WEBHOOKS_ALLOW_PRIVATE: '1',
    },
  },
  use: {
    baseURL,
    trace: 'on-first-retry',
  },
  projects: [
    {
      name: 'chromium',
      use: { ...devices['Desktop Chrome'], launchOptions },
    },
    // The main journeys again with JavaScript off: the pages and plain forms must do it all.
    {
      name: 'no-javascript',
      testMatch: /journeys\.spec\.ts/,
      use: { ...devices['Desktop Chrome'], launchOptions, javaScriptEnabled: false },
    },
  ],
});
