/**
 * The attendee's own user in a real browser (Debian's Chromium through playwright-core), as the
 * workshop's closing exercise walks it (issue 18): Start as a new user on the front page, rate
 * three Horror movies five stars on the onboarding page (forms, no script needed), and the local
 * item-kNN row of the user page turns mostly Horror; rate again and the row changes, with marks of
 * what changed; the Genre control limits the row to Comedy. The onboarding and user pages at a
 * phone's 390 px, nothing wider than the screen.
 * The app runs on the embedded database with the synthetic sample; no AWS is reached.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Locator } from 'playwright-core';
import { startWebApp, type Started } from '../../app-src/start';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const REQUIRED = Boolean(process.env.CI || process.env.REQUIRE_POSTGRES);
const AVAILABLE = existsSync(CHROMIUM);
const SCREENSHOTS = path.join(__dirname, '..', '..', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const SCROLL_TOLERANCE = 2;
/** The tiles of the row that count for "mostly Horror". */
const TOP = 10;

if (!AVAILABLE && !REQUIRED) {
  console.warn(`test/e2e/new-user.test.ts: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium).`);
}
/** The few DOM names the in-page callbacks use (the project's tsconfig has no "dom" lib). */
declare const document: {
  readonly documentElement: { readonly scrollWidth: number };
  readonly body: { querySelectorAll(selector: string): Iterable<InPageElement> };
};
interface InPageElement {
  readonly tagName: string;
  readonly className: unknown;
  getBoundingClientRect(): { readonly right: number };
}

const walk = AVAILABLE || REQUIRED ? it : it.skip;

describe('a new user in Chromium', () => {
  let web: Started | undefined;
  let browser: Browser | undefined;
  let base = '';

  beforeAll(async () => {
    if (!AVAILABLE) return;
    web = await startWebApp({
      database: { embedded: {} },
      data: 'sample',
      admin: { password: 'e2e admin password, long enough' },
      sessionSecret: 'an e2e test secret that is long enough to sign cookies',
      ease: false,
    });
    base = (await web.app.listen({ port: 0, host: '127.0.0.1' })).replace(/\/$/, '');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  walk(
    'starts as a new user, rates three Horror movies five stars, and the local row turns to Horror, then changes again',
    async () => {
      if (!AVAILABLE) throw new Error(`No Chromium at ${CHROMIUM}: CI must run the browser test.`);
      mkdirSync(SCREENSHOTS, { recursive: true });
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
      let shot = 0;
      const screenshot = async (name: string) => {
        shot += 1;
        await page.screenshot({
          path: path.join(SCREENSHOTS, `nu-${String(shot).padStart(2, '0')}-${name}.png`),
          fullPage: true,
        });
      };
      const noHorizontalScroll = async (what: string) => {
        const { scrollWidth, widest } = await page.evaluate((limit) => {
          const over = [...document.body.querySelectorAll('*')]
            .filter((el) => el.getBoundingClientRect().right > limit)
            .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className)}` : ''}`);
          return { scrollWidth: document.documentElement.scrollWidth, widest: over.slice(0, 5) };
        }, PHONE.width + SCROLL_TOLERANCE);
        if (scrollWidth > PHONE.width + SCROLL_TOLERANCE)
          throw new Error(`${what} scrolls sideways at 390 px: ${scrollWidth} px wide (${widest.join(', ')})`);
      };
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
      await noHorizontalScroll('onboarding page');
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
      await noHorizontalScroll('the new user’s page');
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
