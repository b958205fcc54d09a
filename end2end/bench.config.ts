import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// `make bench-wire`: what a signed-in owner's first Tokens page costs on the wire and how soon it
// works, against the targets of the browser-experience issue. Same server set-up as the tests.
export default defineConfig({
  ...base,
  testDir: './bench',
  fullyParallel: false,
  workers: 1,
  retries: 0,
  projects: [{ name: 'chromium', use: base.projects![0].use }],
});
