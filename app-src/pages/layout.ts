/**
 * The page frame every page shares: a skip link (the first Tab stop; main has tabindex -1, so
 * following the link moves focus there, script or not), banner, main, the stylesheet and the script.
 */
import { html, SafeHtml } from '../html';
import { CSS_PATH, JS_PATH } from '../static/assets';

export function page(title: string, body: SafeHtml): string {
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
