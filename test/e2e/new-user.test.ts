/**
 * The attendee's own user in a real browser (Debian's Chromium through playwright-core), as the
 * workshop's closing exercise walks it (issue 18): Start as a new user on the front page, rate
 * three Horror movies five stars on the onboarding page (forms, no script needed), and the local
 * item-kNN row of the user page turns mostly Horror; rate again and the row changes, with marks of
 * what changed; the Genre control limits the row to Comedy. The onboarding and user pages at a
 * phone's 390 px, nothing wider than the screen.
 * The app runs on the embedded database with the synthetic sample; no AWS is reached.
 */
import type { Browser, Locator } from 'playwright-core';
import type { Started } from '../../app-src/start';
import {
  AVAILABLE,
  DESKTOP,
  noHorizontalScroll,
  PHONE,
  requireChromium,
  screenshotter,
  startSampleSite,
  walkIn,
} from './browser';

/** The tiles of the row that count for "mostly Horror". */
const TOP = 10;

const walk = walkIn('test/e2e/new-user.test.ts');

describe('a new user in Chromium', () => {
  let web: Started | undefined;
  let browser: Browser | undefined;
  let base = '';

  beforeAll(async () => {
    if (!AVAILABLE) return;
    ({ web, browser, base } = await startSampleSite({
      admin: { password: 'e2e admin password, long enough' },
      sessionSecret: 'an e2e test secret that is long enough to sign cookies',
      ease: false,
    }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  walk(
    'starts as a new user, rates three Horror movies five stars, and the local row turns to Horror, then changes again',
    async () => {
      requireChromium();
      const context = await browser!.newContext({ viewport: DESKTOP });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      page.on('response', (response) => {
        if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
      });
      const screenshot = screenshotter(page, 'nu-');
      /** The genres of the first tiles of the item-kNN row, one list per tile. */
      const knnRow = () => page.getByRole('region', { name: 'Personalization: Item-kNN (local)' });
      const tilesOf = (row: Locator) =>
        row.locator('li.tile').evaluateAll((tiles) =>
          tiles.map((t) => ({
            id: Number(t.getAttribute('data-movie-id')),
            genres: t.querySelector('.genres')?.textContent ?? '',
          })),
        );
      const horrorShare = (tiles: { genres: string }[]) =>
        tiles.slice(0, TOP).filter((t) => t.genres.split(', ').includes('Horror')).length / Math.min(TOP, tiles.length);

      // Start as a new user, from the front page: the onboarding page opens.
      await page.goto(`${base}/recommend/`);
      await Promise.all([
        page.waitForURL((url) => /^\/recommend\/\d+\/rate$/.test(url.pathname)),
        page.getByRole('button', { name: 'Start as a new user' }).click(),
      ]);
      const userId = Number(/^\/recommend\/(\d+)\/rate$/.exec(new URL(page.url()).pathname)![1]);
      expect(userId).toBeGreaterThan(1_000_000);
      await screenshot('onboarding');
      const userUrl = `${base}/recommend/${userId}/?mode=recommend&m1=local:knn&m2=none`;

      // Before any rating: the row is the popular movies, not mostly Horror.
      await page.goto(userUrl);
      const before = await tilesOf(knnRow());
      expect(await knnRow().getByText('From no ratings yet').count()).toBe(1);
      expect(horrorShare(before)).toBeLessThan(0.5);

      // Three Horror movies, five stars each, from the onboarding page's Horror grid.
      await page.goto(`${base}/recommend/${userId}/rate`);
      const horror = page.getByRole('region', { name: 'Horror', exact: true });
      const rated: number[] = [];
      for (let i = 0; i < 3; i++) {
        const tile = horror.locator('li.rate-tile').first();
        rated.push(Number(await tile.getAttribute('data-movie-id')));
        await Promise.all([
          page.waitForURL((url) => url.pathname === `/recommend/${userId}/rate`),
          tile.getByRole('button', { name: '5 stars' }).click(),
        ]);
      }
      expect(new Set(rated).size).toBe(3);
      expect(await page.locator(`[data-rated-count="3"]`).count()).toBe(1);
      await page.setViewportSize(PHONE);
      await noHorizontalScroll(page, 'onboarding page');
      await screenshot('phone-onboarding');
      await page.setViewportSize(DESKTOP);

      // The user page: the local row recomputed at once, mostly Horror, and it says from what.
      await Promise.all([
        page.waitForURL((url) => url.pathname === `/recommend/${userId}/`),
        page.getByRole('link', { name: 'See your recommendations' }).click(),
      ]);
      await page.goto(userUrl);
      const after = await tilesOf(knnRow());
      expect(after.map((t) => t.id)).not.toEqual(before.map((t) => t.id));
      expect(after.some((t) => rated.includes(t.id))).toBe(false);
      expect(horrorShare(after)).toBeGreaterThan(0.5);
      expect(
        await knnRow()
          .getByText(/From 3 ratings, the latest \d+ s ago/)
          .count(),
      ).toBe(1);
      await screenshot('horror-row');
      await page.setViewportSize(PHONE);
      await noHorizontalScroll(page, 'the new user’s page');
      await page.setViewportSize(DESKTOP);

      // Rate again, from a tile of the row itself: the row changes, with marks of what changed.
      const next = knnRow().locator('li.tile').nth(0);
      const nextId = Number(await next.getAttribute('data-movie-id'));
      await Promise.all([
        page.waitForURL((url) => url.pathname === `/recommend/${userId}/`),
        next.getByRole('button', { name: '1 star', exact: true }).click(),
      ]);
      const again = await tilesOf(knnRow());
      expect(again.map((t) => t.id)).not.toEqual(after.map((t) => t.id));
      expect(again.map((t) => t.id)).not.toContain(nextId);
      expect(
        await knnRow()
          .getByText(/From 4 ratings/)
          .count(),
      ).toBe(1);
      expect(await knnRow().locator('[data-change="new"], .change.up, .change.down').count()).toBeGreaterThan(0);
      await screenshot('row-changed');

      // The Genre control limits the new user's rows too: Comedy, every tile a Comedy.
      await Promise.all([
        page.waitForURL((url) => url.searchParams.get('genre') === 'Comedy'),
        page.getByLabel('Genre', { exact: true }).selectOption('Comedy'),
      ]);
      const comedy = await tilesOf(knnRow());
      expect(comedy.length).toBeGreaterThan(0);
      expect(comedy.every((t) => t.genres.split(', ').includes('Comedy'))).toBe(true);

      // A MovieLens user's page has no rating controls.
      await page.goto(`${base}/recommend/1/`);
      expect(await page.locator('form.rate-form').count()).toBe(0);

      expect(problems).toEqual([]);
      await context.close();
    },
    120_000,
  );
});
