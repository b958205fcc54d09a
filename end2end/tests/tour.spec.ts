// The guided tour: started by the Guide button, the invitation or the keyboard; every step
// highlights its target on the real page and leaves the page as it found it.
//
// "Finished or dismissed" is remembered per user on the server and the workers share one
// database, so each test that checks the invitation owns its user: owner@nano-drive.test
// (finishing; it also has no tokens, for the empty-list steps) and owner@starter.test
// (dismissing). The other tests do not look at the invitation.
import { expect, test, type Locator, type Page, type TestInfo } from '@playwright/test';
import { closeReveal, createDialog, createToken, signIn, uniqueName, waitForHydration } from './helpers';

type Box = { x: number; y: number; width: number; height: number };

// ---- find --------------------------------------------------------------------------------

function guideButton(page: Page) {
  return page.getByRole('button', { name: 'Guide', exact: true });
}

function invitation(page: Page) {
  return page.getByRole('region', { name: 'Guided tour invitation' });
}

/** The tour's dialog: the one with the tour's close control (its name is the step's title). */
function tourDialog(page: Page) {
  return page.getByRole('dialog').filter({ has: page.getByRole('button', { name: 'Close the tour' }) });
}

/** Decorative geometry the checks measure (the spotlight is aria-hidden). */
function spotlight(page: Page) {
  return page.locator('[data-tour-spotlight]');
}

function popover(page: Page) {
  return page.locator('[data-tour-popover]');
}

type Step = {
  title: string;
  /** The elements the step must highlight, found by role and label. `[]`: a centered popover. */
  targets: (page: Page) => Locator[];
  text?: RegExp;
};

const withTokens: Step[] = [
  {
    title: 'What API tokens are for',
    targets: (page) => [page.getByRole('heading', { name: 'AI Agents & API', level: 1 }).locator('..')],
    text: /OAuth/,
  },
  {
    title: 'Start here',
    targets: (page) => [page.getByRole('button', { name: 'Create token' }).first()],
    text: /never creates a token/,
  },
  { title: 'Name', targets: (page) => [createDialog(page).getByLabel('Name', { exact: true }).locator('..')] },
  {
    title: 'Expiration',
    targets: (page) => [createDialog(page).getByRole('group', { name: 'Expiration', exact: true })],
    text: /recommend 30 or 90 days/,
  },
  {
    title: 'Scopes',
    // The explanation and the quick choices, not the long list of boxes below them.
    targets: (page) => {
      const scopes = createDialog(page).getByRole('group', { name: 'Scopes', exact: true });
      return [scopes.getByText(/tokens can use/).locator('..')];
    },
    text: /^On (Pro|Agency), tokens can use every scope\. Grant only what the token needs, and keep the High risk ones \(domains:delete, .*drive:mailbox:purge\)/,
  },
  {
    title: 'Domain constraint',
    targets: (page) => [createDialog(page).getByRole('group', { name: 'Domain constraint', exact: true })],
    text: /404/,
  },
  {
    title: 'Copy it once',
    targets: (page) => [page.getByRole('figure', { name: 'Example of the one-time token reveal' })],
    text: /shown exactly once/,
  },
  {
    title: 'Your tokens',
    targets: (page) => [
      page.getByRole('navigation', { name: 'Status' }),
      page.getByRole('table', { name: 'API tokens, newest first' }),
    ],
    text: /status filter narrows the list\. Rotate gives a token a new secret.*Pause stops it until you resume it/,
  },
  {
    title: 'Revoke',
    targets: (page) => [page.getByRole('button', { name: /^Revoke / }).first()],
    text: /401 Unauthorized/,
  },
  {
    title: 'Audit Log',
    targets: (page) => [page.getByRole('link', { name: 'Audit Log' })],
    text: /who did it, when, from which IP address, and what changed/,
  },
];

// ---- act ---------------------------------------------------------------------------------

async function next(page: Page) {
  await tourDialog(page).getByRole('button', { name: 'Next' }).click();
}

async function back(page: Page) {
  await tourDialog(page).getByRole('button', { name: 'Back' }).click();
}

async function screenshot(page: Page, testInfo: TestInfo, name: string) {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

// ---- check -------------------------------------------------------------------------------

function inflate(box: Box, by: number): Box {
  return { x: box.x - by, y: box.y - by, width: box.width + 2 * by, height: box.height + 2 * by };
}

function contains(outer: Box, inner: Box, slack = 1): boolean {
  return (
    inner.x >= outer.x - slack &&
    inner.y >= outer.y - slack &&
    inner.x + inner.width <= outer.x + outer.width + slack &&
    inner.y + inner.height <= outer.y + outer.height + slack
  );
}

function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function union(boxes: Box[]): Box {
  const left = Math.min(...boxes.map((b) => b.x));
  const top = Math.min(...boxes.map((b) => b.y));
  const right = Math.max(...boxes.map((b) => b.x + b.width));
  const bottom = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** The step's popover, title, progress and focus, its highlighted targets, the spotlight cut
 * out around them, and the popover on screen beside them. */
async function expectStep(page: Page, steps: Step[], index: number) {
  const step = steps[index];
  const tour = tourDialog(page);
  await expect(tour).toHaveAccessibleName(step.title);
  await expect(tour.getByText(`${index + 1} of ${steps.length}`, { exact: true })).toBeVisible();
  if (step.text) await expect(tour).toHaveAccessibleDescription(step.text);
  await expect(tour.getByRole('button', { name: index + 1 === steps.length ? 'Finish' : 'Next' })).toBeVisible();
  await expect(tour.getByRole('button', { name: 'Back' })).toHaveCount(index === 0 ? 0 : 1);
  await expect(tour.locator(':focus')).toHaveCount(1);

  const targets = step.targets(page);
  for (const target of targets) {
    await expect(target).toHaveAttribute('data-tour-highlighted', '');
    await expect(target).toBeInViewport();
  }
  await expect(page.locator('[data-tour-highlighted]')).toHaveCount(targets.length);
  await expectGeometry(page, targets);
}

async function expectGeometry(page: Page, targets: Locator[]) {
  const viewport = page.viewportSize()!;
  const screen = { x: 0, y: 0, width: viewport.width, height: viewport.height };
  // Smooth scrolling and the spotlight's transition settle within a moment: measure once still.
  await expect(async () => {
    const moving = await Promise.all([popover(page).boundingBox(), spotlight(page).boundingBox()]);
    await page.waitForTimeout(250);
    const still = await Promise.all([popover(page).boundingBox(), spotlight(page).boundingBox()]);
    expect(still, 'popover and spotlight at rest').toEqual(moving);
    const card = (await popover(page).boundingBox())!;
    expect(contains(screen, card), `popover ${JSON.stringify(card)} on screen`).toBe(true);
    if (targets.length === 0) {
      await expect(spotlight(page)).toBeHidden();
      return;
    }
    const hole = (await spotlight(page).boundingBox())!;
    const boxes = await Promise.all(targets.map(async (t) => (await t.boundingBox())!));
    // The cut-out never strays from its targets (plus padding)…
    expect(contains(inflate(union(boxes), 8), hole), `spotlight ${JSON.stringify(hole)} on targets`).toBe(true);
    // …and shows every target that fits on screen whole.
    for (const box of boxes) {
      if (contains(screen, box, 0)) expect(contains(hole, box), `spotlight around ${JSON.stringify(box)}`).toBe(true);
    }
    // Beside the target, not over it, whenever the viewport has room for that.
    if (hole.height + 2 * card.height + 48 <= viewport.height) {
      expect(overlaps(card, hole), 'popover beside the spotlight').toBe(false);
    }
  }).toPass({ timeout: 10_000 });
}

async function expectClosed(page: Page) {
  await expect(tourDialog(page)).toHaveCount(0);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await expect(page.locator('[data-tour-highlighted]')).toHaveCount(0);
  await expect(guideButton(page)).toBeFocused();
}

// ---- tests -------------------------------------------------------------------------------

test.describe('the guided tour', () => {
  test('walks every step forwards and backwards, each highlighting its target', async ({ page }, testInfo) => {
    await signIn(page, 'owner@pro.test');
    await createToken(page, uniqueName('Toured'));
    await closeReveal(page);

    await guideButton(page).click();
    for (let index = 0; index < withTokens.length; index++) {
      await expectStep(page, withTokens, index);
      await screenshot(page, testInfo, `desktop-step-${index + 1}`);
      // The tour opens the create dialog for the form's steps, and only for them.
      await expect(createDialog(page)).toHaveCount(index >= 2 && index <= 5 ? 1 : 0);
      if (index === 6) {
        await expect(page.getByRole('figure').getByText('tm_live_••••')).toBeVisible();
        await expect(page.getByRole('figure').getByRole('button', { name: 'Copy' })).toBeVisible();
        await expect(page.getByRole('figure').getByRole('button', { name: 'Download' })).toBeVisible();
      }
      if (index + 1 < withTokens.length) await next(page);
    }
    await expect(page).toHaveURL(/\/agents\/audit-log$/);

    for (let index = withTokens.length - 2; index >= 0; index--) {
      await back(page);
      await expectStep(page, withTokens, index);
    }
    await expect(page).toHaveURL(/\/agents\/tokens$/);
    await tourDialog(page).getByRole('button', { name: 'Close the tour' }).click();
    await expectClosed(page);
  });

  test('runs from the keyboard: Enter starts, arrows step, Escape closes and focus returns', async ({ page }) => {
    await signIn(page, 'owner@pro.test');
    await guideButton(page).focus();
    await page.keyboard.press('Enter');
    const tour = tourDialog(page);
    await expect(tour).toHaveAccessibleName('What API tokens are for');
    await expect(tour.getByRole('button', { name: 'Next' })).toBeFocused();
    await expect(tour.getByText('1 of 10', { exact: true }).locator('..')).toHaveAttribute('aria-live', 'polite');

    await page.keyboard.press('ArrowRight');
    await expect(tour).toHaveAccessibleName('Start here');
    await page.keyboard.press('ArrowRight');
    await expect(tour).toHaveAccessibleName('Name');
    await expect(createDialog(page)).toBeVisible();
    // Focus stays in the popover, above the dialog the tour opened.
    await expect(tour.getByRole('button', { name: 'Next' })).toBeFocused();

    await page.keyboard.press('ArrowLeft');
    await expect(tour).toHaveAccessibleName('Start here');
    await expect(createDialog(page)).toHaveCount(0);
    await page.keyboard.press('Enter');
    await expect(tour).toHaveAccessibleName('Name');
    await expect(createDialog(page)).toBeVisible();

    // Escape closes the tour, and the create dialog it opened, not just the dialog on top.
    await page.keyboard.press('Escape');
    await expectClosed(page);

    // Even when pressed in the same instant as the step that opens the create dialog, while that
    // dialog is still above the tour and holds focus.
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowRight');
    await expect(tour).toHaveAccessibleName('Start here');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await expectClosed(page);
  });

  test('closing midway puts the page back: dialog closed, the tab and filter it started on', async ({ page }) => {
    await signIn(page, 'owner@pro.test');

    // From the Audit Log: the tour moves to Tokens and opens the dialog, then goes back.
    await page.getByRole('link', { name: 'Audit Log' }).click();
    await expect(page).toHaveURL(/\/agents\/audit-log$/);
    await guideButton(page).click();
    await next(page);
    await expect(page).toHaveURL(/\/agents\/tokens$/);
    await next(page);
    await next(page);
    await expect(tourDialog(page)).toHaveAccessibleName('Expiration');
    await expect(createDialog(page)).toBeVisible();
    await tourDialog(page).getByRole('button', { name: 'Close the tour' }).click();
    await expectClosed(page);
    await expect(page).toHaveURL(/\/agents\/audit-log$/);
    await expect(page.getByRole('link', { name: 'Audit Log' })).toHaveAttribute('aria-current', 'page');

    // From a filtered list: the last step switches to the Audit Log, closing returns to the filter.
    await page.goto('/agents/tokens?status=revoked');
    await waitForHydration(page);
    await guideButton(page).click();
    for (let step = 1; step < 10; step++) await next(page);
    await expect(tourDialog(page)).toHaveAccessibleName('Audit Log');
    await expect(page).toHaveURL(/\/agents\/audit-log$/);
    await page.keyboard.press('Escape');
    await expectClosed(page);
    await expect(page).toHaveURL(/\/agents\/tokens\?status=revoked$/);
    await expect(page.getByRole('navigation', { name: 'Status' }).getByRole('link', { name: 'Revoked' })).toHaveAttribute(
      'aria-current',
      'page',
    );
  });

  test('finishing hides the invitation for good; the Guide button still works', async ({ page }, testInfo) => {
    // This account has no tokens: the list step points at the empty state, the revoke step
    // has nothing to point at and says where the button will be.
    await signIn(page, 'owner@nano-drive.test');
    await expect(invitation(page)).toBeVisible();
    await invitation(page).getByRole('button', { name: 'Take a 1-minute tour' }).click();
    await expect(invitation(page)).toHaveCount(0);

    const tour = tourDialog(page);
    for (let step = 1; step < 8; step++) await next(page);
    await expect(tour).toHaveAccessibleName('Your tokens');
    await expect(tour).toHaveAccessibleDescription(/No tokens to show here yet/);
    const empty = page.getByRole('heading', { name: 'No API tokens yet' }).locator('..');
    await expect(empty).toHaveAttribute('data-tour-highlighted', '');
    await expectGeometry(page, [page.getByRole('navigation', { name: 'Status' }), empty]);
    await screenshot(page, testInfo, 'empty-list-step');

    await next(page);
    await expect(tour).toHaveAccessibleName('Revoke');
    await expect(tour).toHaveAccessibleDescription(/Each active token gets a Revoke button/);
    await expectGeometry(page, []);
    await screenshot(page, testInfo, 'no-revoke-button-step');

    await next(page);
    await tour.getByRole('button', { name: 'Finish' }).click();
    await expectClosed(page);
    await expect(page).toHaveURL(/\/agents\/tokens$/);

    await page.reload();
    await waitForHydration(page);
    await expect(page.getByRole('heading', { name: 'AI Agents & API' })).toBeVisible();
    await expect(invitation(page)).toHaveCount(0);
    await guideButton(page).click();
    await expect(tourDialog(page)).toHaveAccessibleName('What API tokens are for');
  });

  test('dismissing the invitation keeps it away after a reload', async ({ page }) => {
    await signIn(page, 'owner@starter.test');
    await invitation(page).getByRole('button', { name: 'Dismiss the tour invitation' }).click();
    await expect(invitation(page)).toHaveCount(0);
    await expect(guideButton(page)).toBeFocused();
    await page.reload();
    await waitForHydration(page);
    await expect(page.getByRole('heading', { name: 'AI Agents & API' })).toBeVisible();
    await expect(invitation(page)).toHaveCount(0);
  });

  test('tells a Nano owner what Nano allows', async ({ page }, testInfo) => {
    await signIn(page, 'owner@nano.test');
    await guideButton(page).click();
    for (let step = 1; step < 5; step++) await next(page);
    const tour = tourDialog(page);
    await expect(tour).toHaveAccessibleName('Scopes');
    await expect(tour).toHaveAccessibleDescription(
      /^On Nano, tokens can use the Email Verifier scopes \(verify:read, verify:write\)\. The other \d+ scopes need a higher plan: they are folded away below, each with the plan that unlocks it\. Grant only what the token needs\.$/,
    );
    const scopes = createDialog(page).getByRole('group', { name: 'Scopes', exact: true });
    await expect(scopes.getByText(/tokens can use/).locator('..')).toHaveAttribute(
      'data-tour-highlighted',
      '',
    );
    await screenshot(page, testInfo, 'nano-scopes-step');
    await page.keyboard.press('Escape');
    await expectClosed(page);
  });

  test.describe('with reduced motion', () => {
    test.use({ reducedMotion: 'reduce' });

    test('moves the spotlight without animating', async ({ page }) => {
      await signIn(page, 'owner@agency.test');
      await guideButton(page).click();
      await next(page);
      await expectStep(page, withTokens, 1);
      const duration = await spotlight(page).evaluate((element) => getComputedStyle(element).transitionDuration);
      expect(parseFloat(duration)).toBeLessThan(0.01);
      await page.keyboard.press('Escape');
      await expectClosed(page);
    });
  });

  test.describe('on a phone', () => {
    test.use({ viewport: { width: 390, height: 844 } });

    test('every step stays on screen, and follows scrolling and resizing', async ({ page }, testInfo) => {
      await signIn(page, 'owner@agency.test');
      await createToken(page, uniqueName('Phone tour'));
      await closeReveal(page);
      await guideButton(page).click();
      for (let index = 0; index < withTokens.length; index++) {
        await expectStep(page, withTokens, index);
        await screenshot(page, testInfo, `phone-step-${index + 1}`);
        if (index + 1 < withTokens.length) await next(page);
      }

      // Back to the list, then scroll the page and turn the phone: the spotlight follows.
      await back(page);
      await back(page);
      await expectStep(page, withTokens, 7);
      await page.evaluate(() => window.scrollBy(0, 120));
      await expectGeometry(page, withTokens[7].targets(page));
      await page.setViewportSize({ width: 844, height: 390 });
      await expectGeometry(page, withTokens[7].targets(page));
      await screenshot(page, testInfo, 'phone-landscape-list-step');

      await tourDialog(page).getByRole('button', { name: 'Close the tour' }).click();
      await expectClosed(page);
    });
  });
});
