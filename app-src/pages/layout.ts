/**
 * The page frame every page shares: a skip link (the first Tab stop; main has tabindex -1, so
 * following the link moves focus there, script or not), banner, main, the stylesheet and the script.
 */
import { html, SafeHtml } from '../html';
import { CSS_PATH, JS_PATH } from '../static/assets';

/**
 * Go to user # and the movie search, on every page (routes/movies.ts). On a user page, Go to user #
 * carries the page's state (mode, models, genre, ...) as Prev User and Next User do.
 */
const findForms = (goToUserState: URLSearchParams | undefined) =>
  html`<div class="banner-find">
    <form method="get" action="/recommend/go" class="find-form">
      ${[...(goToUserState ?? [])].map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
      <label for="go-user">Go to user #</label>
      <input id="go-user" name="user" type="text" inputmode="numeric" autocomplete="off" size="5" required />
      <button type="submit">Go</button>
    </form>
    <form method="get" action="/movies/" class="find-form" role="search">
      <label for="find-movie">Find a movie</label>
      <input id="find-movie" name="q" type="search" maxlength="200" size="14" required />
      <button type="submit">Search</button>
    </form>
  </div>`;

export interface PageOptions {
  /** What Go to user # sends with the user number (the user page's state). */
  readonly goToUserState?: URLSearchParams;
}

export function page(title: string, body: SafeHtml, options: PageOptions = {}): string {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · MovieRecs Workshop</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="${CSS_PATH}" />
      </head>
      <body>
        <a class="skip-link" href="#main">Skip to main content</a>
        <header class="banner">
          <a href="/recommend/">MovieRecs Workshop</a>
          <span>Movie recommendations with Amazon Personalize</span>
          ${findForms(options.goToUserState)}
        </header>
        <main id="main" tabindex="-1">${body}</main>
        <script src="${JS_PATH}" defer></script>
      </body>
    </html> `.value;
}

const ERROR_TITLES: ReadonlyMap<number, string> = new Map([
  [403, 'Forbidden'],
  [404, 'Not found'],
  [408, 'Request timeout'],
  [413, 'Too large'],
  [414, 'Address too long'],
  [415, 'Not a form'],
  [429, 'Too many requests'],
  [431, 'Headers too large'],
]);

/** A 4xx/5xx page: what went wrong, in words, and a way back. Never a stack trace. */
export function errorPage(status: number, message: string): string {
  const title = status >= 500 ? 'Something went wrong' : (ERROR_TITLES.get(status) ?? 'Bad request');
  return page(
    title,
    html`<h1>${title}</h1>
      <div class="error" role="alert">${message}</div>
      <p><a href="/recommend/">Back to the front page</a></p>`,
  );
}
