/**
 * What the browser walks share: Debian's Chromium through playwright-core, the site on the
 * embedded database with the synthetic sample (no AWS is reached), screenshots in screenshots/
 * (git-ignored), and the check that a page is no wider than the screen.
 */
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startWebApp, type StartSettings, type Started } from '../../app-src/start';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** CI must run the walks: there a missing Chromium fails them instead of skipping. */
export const REQUIRED = Boolean(process.env.CI || process.env.REQUIRE_POSTGRES);
export const AVAILABLE = existsSync(CHROMIUM);
export const SCREENSHOTS = path.join(__dirname, '..', '..', 'screenshots');
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
/** Sub-pixel rounding only: anything wider is a horizontal scroll. */
export const SCROLL_TOLERANCE = 2;

/** `it` where the walk can or must run, `it.skip` (with a notice) elsewhere. */
export function walkIn(file: string): jest.It {
  if (!AVAILABLE && !REQUIRED) console.warn(`${file}: skipped, no Chromium at ${CHROMIUM} (apt-get install chromium).`);
  return AVAILABLE || REQUIRED ? it : it.skip;
}

/** Fails the walk at once where Chromium is missing but required. */
export function requireChromium(): void {
  if (!AVAILABLE) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: CI must run the browser test (apt-get install chromium, or set CHROMIUM_PATH).`,
    );
  }
  mkdirSync(SCREENSHOTS, { recursive: true });
}

export interface SampleSite {
  readonly web: Started;
  readonly browser: Browser;
  /** The site's address, without a trailing slash. */
  readonly base: string;
}

/** The site on the sample, listening on a free port of 127.0.0.1, and a headless Chromium. */
export async function startSampleSite(settings: Omit<StartSettings, 'database' | 'data'>): Promise<SampleSite> {
  const web = await startWebApp({ database: { embedded: {} }, data: 'sample', ...settings });
  const base = (await web.app.listen({ port: 0, host: '127.0.0.1' })).replace(/\/$/, '');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return { web, browser, base };
}

/** Full-page screenshots numbered in the order taken: screenshots/<prefix>NN-<name>.png. */
export function screenshotter(page: Page, prefix = ''): (name: string) => Promise<void> {
  let shot = 0;
  return async (name) => {
    shot += 1;
    await page.screenshot({
      path: path.join(SCREENSHOTS, `${prefix}${String(shot).padStart(2, '0')}-${name}.png`),
      fullPage: true,
    });
  };
}

/** The few DOM names the in-page callback uses (the project's tsconfig has no "dom" lib). */
declare const document: {
  readonly documentElement: { readonly scrollWidth: number };
  readonly body: { querySelectorAll(selector: string): Iterable<InPageElement> };
};
interface InPageElement {
  readonly tagName: string;
  readonly className: unknown;
  getBoundingClientRect(): { readonly right: number };
}

/** Fails, naming the first elements past the edge, when the page is wider than `width`. */
export async function noHorizontalScroll(page: Page, what: string, width = PHONE.width): Promise<void> {
  const { scrollWidth, widest } = await page.evaluate((limit) => {
    const over = [...document.body.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > limit)
      .map((el) => `${el.tagName.toLowerCase()}${el.className ? `.${String(el.className)}` : ''}`);
    return { scrollWidth: document.documentElement.scrollWidth, widest: over.slice(0, 5) };
  }, width + SCROLL_TOLERANCE);
  if (scrollWidth > width + SCROLL_TOLERANCE) {
    throw new Error(
      `${what} scrolls sideways at ${width} px: the document is ${scrollWidth} px wide (first elements past the edge: ${widest.join(', ')})`,
    );
  }
}
