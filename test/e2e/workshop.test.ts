/**
 * The workshop in a real browser (Debian's Chromium through playwright-core), as an attendee walks
 * it: front page, Select Random User, the three modes with their auto-submitting selects, Back,
 * the reviews toggle, the skip link, the keyboard alone through a user page (arrow keys browse a
 * select without reloading, Enter or Show submits, focus comes back to the control), every page at
 * a phone's 390 px with nothing wider than the screen, and an admin adding and deleting a model.
 * Every step leaves a screenshot in screenshots/ (git-ignored). The app runs on the embedded
 * database with the synthetic sample; no AWS is reached (no `campaigns`: the recipe check is off).
 */
import type { Browser, Locator } from 'playwright-core';
import type { Started } from '../../app-src/start';
import {
  AVAILABLE,
  DESKTOP,
  noHorizontalScroll as checkNoHorizontalScroll,
  PHONE,
  requireChromium,
  screenshotter,
  startSampleSite,
  walkIn,
} from './browser';

const PASSWORD = 'e2e admin password, long enough';
const ADMIN_MODEL = 'E2E model';
const ADMIN_ARN = 'arn:aws:personalize:us-east-1:123456789012:campaign/e2e-model';

/** The few DOM names the in-page callbacks use (the project's tsconfig has no "dom" lib). */
declare const document: { readonly activeElement: InPageElement | null };
declare function getComputedStyle(element: unknown, pseudo?: string): { readonly content: string };
interface InPageElement {
  readonly tagName: string;
  readonly id: string;
}

const walk = walkIn('test/e2e/workshop.test.ts');

describe('the workshop in Chromium', () => {
  let web: Started | undefined;
  let browser: Browser | undefined;
  let base = '';

  beforeAll(async () => {
    if (!AVAILABLE) return;
    ({ web, browser, base } = await startSampleSite({
      admin: { password: PASSWORD },
      sessionSecret: 'an e2e test secret that is long enough to sign cookies',
    }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await web?.close();
  });

  walk(
    'an attendee walks every mode, the keyboard and a phone screen; an admin adds and deletes a model',
    async () => {
      requireChromium();
      const context = await browser!.newContext({ viewport: DESKTOP });
      // Every Content-Security-Policy violation on any page becomes a console error (counted below).
      await context.addInitScript(() => {
        (
          globalThis as unknown as { addEventListener(type: string, listener: (event: never) => void): void }
        ).addEventListener(
          'securitypolicyviolation',
          (event: { violatedDirective: string; blockedURI: string; sourceFile: string; lineNumber: number }) =>
            console.error(
              `CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || 'inline'} (${event.sourceFile}:${event.lineNumber})`,
            ),
        );
      });
      const page = await context.newPage();
      const documents: string[] = [];

      const problems: string[] = [];
      /** Pages the walk asks for knowing they answer 4xx: Chromium logs each as a console error. */
      const expected4xx = new Set<string>();
      page.on('console', (message) => {
        if (message.type() !== 'error') return;
        const url = message.location().url;
        if (
          expected4xx.has(url) &&
          /^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())
        )
          return;
        problems.push(`console error: ${message.text()} (${url})`);
      });
      page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
      // Posters are lazy images: when the test navigates on, Chromium cancels the ones still loading
      // (net::ERR_ABORTED). That is the browser's doing, not the app's, so only other failures count;
      // a poster the server got wrong still shows up below as a status other than 200/304.
      page.on('requestfailed', (request) => {
        const reason = request.failure()?.errorText ?? 'unknown';
        if (reason === 'net::ERR_ABORTED') return;
        problems.push(`request failed: ${request.method()} ${request.url()} (${reason})`);
      });
      page.on('response', (response) => {
        if (response.request().resourceType() === 'document') {
          documents.push(response.url());
          if (!response.headers()['content-security-policy'])
            problems.push(`no Content-Security-Policy: ${response.url()}`);
        }
        const status = response.status();
        const poster = new URL(response.url()).pathname.startsWith('/posters/');
        if (status >= 500 || (poster && status !== 200 && status !== 304))
          problems.push(`HTTP ${status}: ${response.url()}`);
      });

      const screenshot = screenshotter(page);
      const query = () => new URL(page.url()).searchParams;
      const userIdOfUrl = () => Number(/\/recommend\/(\d+)\/$/.exec(new URL(page.url()).pathname)?.[1]);
      /** Does `action`, then waits for the page it leads to (the condition must not hold before). */
      const navigates = async (action: () => Promise<unknown>, arrived: (url: URL) => boolean) => {
        await Promise.all([page.waitForURL(arrived), action()]);
      };
      const row = (name: string | RegExp) => page.getByRole('region', { name });
      const movieIds = (region: Locator) =>
        region.locator('li.tile').evaluateAll((tiles) => tiles.map((t) => Number(t.getAttribute('data-movie-id'))));
      const noHorizontalScroll = (what: string, width = PHONE.width) => checkNoHorizontalScroll(page, what, width);

      // Front page. The skip link is the first Tab stop; Enter on it moves focus to the main content.
      await page.goto(`${base}/recommend/`);
      await page.getByRole('heading', { name: 'Movie recommendations: the models' }).waitFor();
      const focused = () => page.evaluate(() => document.activeElement?.id ?? '');
      await page.keyboard.press('Tab');
      const skipLink = page.getByRole('link', { name: 'Skip to main content' });
      expect(await skipLink.evaluate((el) => el === document.activeElement)).toBe(true);
      // Off screen until focused, then on it.
      expect((await skipLink.boundingBox())!.y).toBeGreaterThanOrEqual(0);
      await page.keyboard.press('Enter');
      expect(await focused()).toBe('main');
      expect(new URL(page.url()).hash).toBe('#main');
      // The timeline and the one-line metric notes are there (the sample has no Personalize: no timeline).
      expect(await page.getByRole('term').allTextContents()).toEqual(
        expect.arrayContaining(['precision@5', 'precision@10', 'precision@25', 'NDCG@10', 'coverage']),
      );

      // Select Random User.
      expect(await page.getByRole('row', { name: /Item-kNN \(local\)/ }).count()).toBeGreaterThan(0);
      await screenshot('front');
      await navigates(
        () => page.getByRole('button', { name: 'Select Random User' }).click(),
        (url) => /^\/recommend\/\d+\/$/.test(url.pathname),
      );
      const userId = userIdOfUrl();
      expect(userId).toBeGreaterThan(0);
      expect(await page.title()).toBe(`User ${userId} · MovieRecs Workshop`);
      expect(await page.getByRole('row', { name: 'User id' }).getByRole('cell').textContent()).toBe(String(userId));
      expect(await page.getByLabel('Personalize Mode').inputValue()).toBe('recommend');
      await screenshot('user');

      // Recommendations: two different local models, each select submitting itself.
      expect(await page.getByLabel('Model 1').inputValue()).toBe('local:popular');
      await navigates(
        () => page.getByLabel('Model 1').selectOption('local:knn'),
        (url) => url.searchParams.get('m1') === 'local:knn',
      );
      await navigates(
        () => page.getByLabel('Model 2').selectOption({ label: 'Most popular (local)' }),
        (url) => url.searchParams.get('m2') === 'local:popular',
      );
      expect(query().get('m1')).toBe('local:knn');
      expect(query().get('mode')).toBe('recommend');
      expect(await page.getByLabel('Model 1').inputValue()).toBe('local:knn');
      expect(await page.getByLabel('Model 2').inputValue()).toBe('local:popular');
      for (const name of ['Personalization: Item-kNN (local)', 'Personalization: Most popular (local)']) {
        await row(name).getByRole('heading', { name }).waitFor();
        expect((await movieIds(row(name))).length).toBeGreaterThan(0);
      }
      const knnMovies = await movieIds(row('Personalization: Item-kNN (local)'));
      await noHorizontalScroll('user page on a laptop', DESKTOP.width);
      await screenshot('two-models');

      // Next User, then the browser's Back: the URL holds the whole state.
      const modelsUrl = page.url();
      await navigates(
        () => page.getByRole('button', { name: 'Next User' }).click(),
        (url) => userIdOfUrl() !== userId && url.searchParams.get('m1') === 'local:knn',
      );
      expect(userIdOfUrl()).not.toBe(userId);
      expect(query().get('m2')).toBe('local:popular');
      expect(await page.getByLabel('Model 1').inputValue()).toBe('local:knn');
      await screenshot('next-user');
      await page.goBack();
      expect(page.url()).toBe(modelsUrl);
      expect(await page.getByRole('row', { name: 'User id' }).getByRole('cell').textContent()).toBe(String(userId));
      expect(await page.getByLabel('Model 1').inputValue()).toBe('local:knn');
      expect(await page.getByLabel('Model 2').inputValue()).toBe('local:popular');
      expect(await movieIds(row('Personalization: Item-kNN (local)'))).toEqual(knnMovies);
      await screenshot('back');

      // The Genre control: every recommendation row keeps to the genre; All brings the rest back.
      await navigates(
        () => page.getByLabel('Genre', { exact: true }).selectOption('Horror'),
        (url) => url.searchParams.get('genre') === 'Horror',
      );
      expect(query().get('m1')).toBe('local:knn');
      for (const name of ['Personalization: Item-kNN (local)', 'Personalization: Most popular (local)']) {
        // The new page's row, once it is there (allTextContents does not wait).
        await row(name).locator('li.tile .genres').first().waitFor();
        const genres = await row(name).locator('li.tile .genres').allTextContents();
        expect(genres.length).toBeGreaterThan(0);
        expect(genres.filter((g) => !g.split(', ').includes('Horror'))).toEqual([]);
      }
      await screenshot('recommendations-horror');
      await navigates(
        () => page.getByLabel('Genre', { exact: true }).selectOption({ label: 'All' }),
        (url) => !url.searchParams.get('genre') && url.searchParams.get('m1') === 'local:knn',
      );

      // Personal Ranking of the most popular Horror movies.
      await navigates(
        () => page.getByLabel('Personalize Mode').selectOption({ label: 'Personal Ranking' }),
        (url) => url.searchParams.get('mode') === 'ranking',
      );
      await navigates(
        () => page.getByLabel('Genre', { exact: true }).selectOption('Horror'),
        (url) => url.searchParams.get('genre') === 'Horror',
      );
      expect(query().get('m1')).toBe('local:knn');
      const popularHorror = await movieIds(row('Most popular movies in Horror'));
      expect(popularHorror.length).toBeGreaterThan(1);
      const ranked = await movieIds(row(/^Rankings: /));
      expect([...ranked].sort((a, b) => a - b)).toEqual([...popularHorror].sort((a, b) => a - b));
      await screenshot('ranking-horror');

      // Similar Items, from the user's top review; a tile becomes the new base movie.
      await navigates(
        () => page.getByLabel('Personalize Mode').selectOption({ label: 'Similar Items' }),
        (url) => url.searchParams.get('mode') === 'similar',
      );
      const similarRow = row(/^Similar Items: /);
      await similarRow.getByRole('heading', { name: /^Similar Items: / }).waitFor();
      const similar = await movieIds(similarRow);
      expect(similar.length).toBeGreaterThan(0);
      // The starting movie comes first, marked, and is not among the recommendations.
      const start = similarRow.locator('li.start-tile');
      expect(await start.locator('.start-label').isVisible()).toBe(true);
      expect(await start.locator('.start-label').textContent()).toBe('If you liked this');
      const startId = Number(await start.getAttribute('data-start-movie-id'));
      expect(Number(await page.locator('[data-base-movie]').getAttribute('data-base-movie'))).toBe(startId);
      expect(similar).not.toContain(startId);
      expect(await page.getByLabel('Ordering').inputValue()).toBe('model');
      await screenshot('similar');
      const clicked = similar[Math.min(2, similar.length - 1)];
      const clickedTitle = (await similarRow.locator(`li.tile[data-movie-id="${clicked}"] .title`).textContent())!;
      await navigates(
        () =>
          similarRow.locator(`li.tile[data-movie-id="${clicked}"]`).getByRole('link', { name: clickedTitle }).click(),
        (url) => url.searchParams.get('base') === String(clicked),
      );
      expect(await page.locator('[data-base-movie]').getAttribute('data-base-movie')).toBe(String(clicked));
      const fromClicked = await movieIds(similarRow);
      expect(fromClicked.length).toBeGreaterThan(0);
      expect(fromClicked).not.toContain(clicked);
      await screenshot('similar-clicked');

      // Ordering "Personalized": the same movies, re-ranked for the user.
      await navigates(
        () => page.getByLabel('Ordering').selectOption({ label: 'Personalized' }),
        (url) => url.searchParams.get('order') === 'personalized',
      );
      expect(query().get('base')).toBe(String(clicked));
      const personalized = await movieIds(similarRow);
      expect([...personalized].sort((a, b) => a - b)).toEqual([...fromClicked].sort((a, b) => a - b));
      await screenshot('similar-personalized');

      // Show User Reviews off, then on.
      const reviewsRow = row('Your top movie reviews');
      expect(await reviewsRow.count()).toBe(1);
      expect(await page.getByLabel('Show User Reviews').isChecked()).toBe(true);
      await navigates(
        () => page.getByLabel('Show User Reviews').uncheck(),
        (url) => url.searchParams.getAll('reviews').join() === 'hide',
      );
      expect(await reviewsRow.count()).toBe(0);
      expect(await page.getByLabel('Show User Reviews').isChecked()).toBe(false);
      expect(query().get('order')).toBe('personalized');
      await screenshot('reviews-off');
      await navigates(
        () => page.getByLabel('Show User Reviews').check(),
        // The form's hidden "hide", then the ticked box's "show": the last counts.
        (url) => url.searchParams.getAll('reviews').join() === 'hide,show',
      );
      expect(await reviewsRow.count()).toBe(1);
      expect((await movieIds(reviewsRow)).length).toBeGreaterThan(0);
      await screenshot('reviews-on');

      // The keyboard alone through a user page: Tab to a control, browse its options with the arrow
      // keys (the page must not reload: Chromium changes a closed select on the first arrow press),
      // submit with Enter or the Show button, and find focus back on that control after the reload.
      const loads = () => documents.length;
      /** Tab (or Shift+Tab) until the element with this id has focus. */
      const tabTo = async (id: string, key = 'Tab') => {
        for (let presses = 0; (await focused()) !== id; presses += 1) {
          if (presses > 25) throw new Error(`25 presses of ${key} never reached #${id}`);
          await page.keyboard.press(key);
        }
      };
      /** Arrow keys on the focused select: the value moves, the page stays (same document, nothing loaded). */
      const browse = async (id: string, key: 'ArrowDown' | 'ArrowUp', presses = 1) => {
        const before = loads();
        const select = page.locator(`select#${id}`);
        const from = await select.inputValue();
        await page.evaluate(() => ((globalThis as unknown as { stillHere: boolean }).stillHere = true));
        for (let i = 0; i < presses; i += 1) await page.keyboard.press(key);
        expect(await select.inputValue()).not.toBe(from);
        expect(await page.evaluate(() => (globalThis as unknown as { stillHere?: boolean }).stillHere)).toBe(true);
        expect(loads()).toBe(before);
        expect(await focused()).toBe(id);
        return select.inputValue();
      };
      /** Submits by keyboard; exactly one page loads, with `param` set to `value` and focus on `#refocus`. */
      const submitsTo = async (key: string, param: string, value: string, refocus: string) => {
        const before = loads();
        await navigates(
          () => page.keyboard.press(key),
          (url) => url.searchParams.get(param) === value,
        );
        await page.waitForFunction((id) => document.activeElement?.id === id, refocus);
        expect(loads()).toBe(before + 1);
      };
      await page.goto(`${base}/recommend/${userId}/?mode=recommend&m1=local:popular&m2=local:knn`);
      const keyboardStart = page.url();
      await page.locator('body').focus();
      await tabTo('m1');
      const m1 = await browse('m1', 'ArrowDown');
      expect(page.url()).toBe(keyboardStart);
      await submitsTo('Enter', 'm1', m1, 'm1');
      // Model 2 through the Show button, which appears once a keyboard change waits.
      await tabTo('m2');
      const show = page.locator('form:has(select#m2) .show-button');
      expect(await show.isVisible()).toBe(false);
      const m2 = await browse('m2', 'ArrowUp');
      expect(await show.isVisible()).toBe(true);
      await page.keyboard.press('Tab');
      expect(await show.evaluate((el) => el === document.activeElement)).toBe(true);
      await screenshot('keyboard-show-button');
      await submitsTo('Enter', 'm2', m2, 'm2');
      expect(query().get('m1')).toBe(m1);
      // The mode, back up the toolbar: Recommendations -> Personal Ranking -> its genre.
      await tabTo('mode', 'Shift+Tab');
      expect(await browse('mode', 'ArrowDown')).toBe('ranking');
      await submitsTo('Enter', 'mode', 'ranking', 'mode');
      await tabTo('genre');
      const genre = await browse('genre', 'ArrowDown', 2);
      await submitsTo('Enter', 'genre', genre, 'genre');
      // Similar Items, then its Ordering.
      await tabTo('mode', 'Shift+Tab');
      expect(await browse('mode', 'ArrowDown')).toBe('similar');
      await submitsTo('Enter', 'mode', 'similar', 'mode');
      await tabTo('order');
      const order = await browse('order', 'ArrowDown');
      await submitsTo('Enter', 'order', order, 'order');
      await screenshot('keyboard-focus');
      // Next User by keyboard keeps the mode, and focus stays on Next User for the next press.
      const here = userIdOfUrl();
      await tabTo('next-user', 'Shift+Tab');
      await navigates(
        () => page.keyboard.press('Enter'),
        () => userIdOfUrl() !== here,
      );
      await page.waitForFunction(() => document.activeElement?.id === 'next-user');
      expect(query().get('mode')).toBe('similar');
      expect(query().get('order')).toBe(order);

      // A phone: nothing on any page is wider than the screen (tile rows and the metrics table
      // scroll inside themselves, and say so).
      await page.setViewportSize(PHONE);
      const phonePages: [string, string][] = [
        ['front page', '/recommend/'],
        ['movie page', `/movies/${clicked}`],
        ['movie search', `/movies/?q=${encodeURIComponent(clickedTitle)}`],
        [
          'user page, recommendations with reviews',
          `/recommend/${userId}/?mode=recommend&m1=local:knn&m2=local:popular&reviews=show`,
        ],
        ['user page, recommendations without reviews', `/recommend/${userId}/?mode=recommend&reviews=hide`],
        ['user page, similar items with reviews', `/recommend/${userId}/?mode=similar&reviews=show`],
        [
          'user page, similar items, personalized',
          `/recommend/${userId}/?mode=similar&order=personalized&reviews=hide`,
        ],
        ['user page, personal ranking with reviews', `/recommend/${userId}/?mode=ranking&genre=Horror&reviews=show`],
        ['user page, personal ranking of all genres', `/recommend/${userId}/?mode=ranking&reviews=hide`],
      ];
      for (const [what, url] of phonePages) {
        const response = await page.goto(`${base}${url}`);
        expect(response?.status()).toBe(200);
        await noHorizontalScroll(what);
      }
      // (The last page is a user page.) Results come before the user's details, and a row that scrolls sideways says so.
      const firstRow = page.locator('section.row').first();
      expect(await firstRow.evaluate((el) => el.hasAttribute('data-overflow'))).toBe(true);
      expect(await firstRow.locator('.row-header').evaluate((el) => getComputedStyle(el, '::after').content)).toBe(
        '"scroll →"',
      );
      // A row scrolls from the keyboard too: it takes focus, and the arrow keys move it.
      const tiles = firstRow.locator('ul.tiles');
      await tiles.focus();
      await page.keyboard.press('ArrowRight');
      await page.waitForFunction(
        (el) => (el as unknown as { scrollLeft: number }).scrollLeft > 0,
        await tiles.elementHandle(),
      );
      const top = async (locator: Locator) => (await locator.boundingBox())!.y;
      expect(await top(firstRow)).toBeLessThan(await top(page.getByRole('heading', { name: 'Current User' })));
      expect(await top(firstRow)).toBeLessThan(PHONE.height);
      await screenshot('phone-user');
      for (const [what, url, status] of [
        ['a 404 page', '/recommend/999999/', 404],
        // The message repeats the value: one long word must wrap, not widen the page.
        ['a 400 page', `/recommend/${userId}/?mode=${'nonsense'.repeat(10)}`, 400],
        ['a 404 for an unknown address', '/no/such/page', 404],
      ] as const) {
        expected4xx.add(`${base}${url}`);
        const response = await page.goto(`${base}${url}`);
        expect(response?.status()).toBe(status);
        await noHorizontalScroll(what);
      }
      await page.goto(`${base}/recommend/`);
      await noHorizontalScroll('front page');
      // The metrics table stacks: one card per model, each value labelled with its metric.
      const knnRow = page.getByRole('row', { name: /Item-kNN \(local\)/ }).first();
      const labels = await knnRow
        .locator('td')
        .evaluateAll((cells) => cells.map((cell) => getComputedStyle(cell, '::before').content));
      expect(labels).toEqual(expect.arrayContaining(['"precision@5"', '"NDCG@10"', '"coverage"']));
      // Select Random User is on the first screen.
      expect(await top(page.getByRole('button', { name: 'Select Random User' }))).toBeLessThan(PHONE.height / 2);
      await screenshot('phone-front');
      await page.setViewportSize(DESKTOP);

      // Admin: log in (on a phone), add a model, see it offered on the user page, delete it.
      await page.setViewportSize(PHONE);
      await page.goto(`${base}/admin/`);
      await noHorizontalScroll('admin login');
      await page.getByLabel('Password').fill(PASSWORD);
      await screenshot('admin-login');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { name: 'Admin: models' }).waitFor();
      await noHorizontalScroll('admin page, no models added');
      await page.setViewportSize(DESKTOP);
      await page.getByLabel('Name').fill(ADMIN_MODEL);
      await page.getByLabel('Campaign ARN').fill(ADMIN_ARN);
      await page.getByLabel('Type').selectOption('recommend');
      await navigates(
        () => page.getByRole('button', { name: 'Add model' }).click(),
        (url) => url.searchParams.get('notice') === 'added',
      );
      await page.getByRole('status').filter({ hasText: 'The model was added.' }).waitFor();
      expect(await page.getByRole('row', { name: ADMIN_ARN }).count()).toBe(1);
      await screenshot('admin-added');
      // The admin pages on a phone: the models table becomes one card per model.
      await page.setViewportSize(PHONE);
      await noHorizontalScroll('admin page with a model');
      const editUrl = await page.getByRole('link', { name: `Edit ${ADMIN_MODEL}` }).getAttribute('href');
      const deleteUrl = await page.getByRole('link', { name: `Delete ${ADMIN_MODEL}` }).getAttribute('href');
      await screenshot('phone-admin');
      for (const [what, url] of [
        ['admin edit page', editUrl],
        ['admin delete confirmation', deleteUrl],
      ] as const) {
        expect((await page.goto(`${base}${url}`))?.status()).toBe(200);
        await noHorizontalScroll(what);
      }
      await page.setViewportSize(DESKTOP);
      const modelOneOptions = async () => {
        await page.goto(`${base}/recommend/${userId}/`);
        return page
          .getByLabel('Model 1')
          .locator('option')
          .evaluateAll((options) => options.map((o) => o.textContent?.trim()));
      };
      expect(await modelOneOptions()).toContain(ADMIN_MODEL);
      await screenshot('user-with-admin-model');
      await page.goto(`${base}/admin/`);
      await navigates(
        async () => {
          // Delete asks first, on a page of its own.
          await page.getByRole('link', { name: `Delete ${ADMIN_MODEL}` }).click();
          await page.waitForURL((url) => url.pathname.endsWith('/delete'));
          await page.getByRole('button', { name: `Delete ${ADMIN_MODEL}` }).click();
        },
        (url) => url.searchParams.get('notice') === 'deleted',
      );
      expect(await page.getByRole('row', { name: ADMIN_ARN }).count()).toBe(0);
      await screenshot('admin-deleted');
      expect(await modelOneOptions()).not.toContain(ADMIN_MODEL);
      expect(await modelOneOptions()).toContain('Item-kNN (local)');

      expect(problems).toEqual([]);
      // The pages the checks above covered: every kind the site serves.
      const paths = new Set(documents.map((url) => new URL(url).pathname.replace(/\d+/g, 'N')));
      expect([...paths]).toEqual(expect.arrayContaining(['/recommend/', '/recommend/N/', '/admin/']));
      await context.close();
    },
    120_000,
  );
});
