/**
 * /movies/: the movie search (title, year, or both), and /movies/<id>: a movie's page with its
 * facts, its star counts, its similar items from every similar-items model (a row each, as on the
 * user page) and the users who rated it highest.
 */
import type { TopRater, SearchResult } from '../db/movie-queries';
import type { Movie } from '../db/queries';
import { html, SafeHtml } from '../html';
import { page } from './layout';
import { MovieRow, movieRow, reviewSummary, starText } from './user';

const number = new Intl.NumberFormat('en-US');

export interface SearchPageData {
  /** As typed; empty: the form alone. */
  readonly q: string;
  readonly total: number;
  readonly results: readonly SearchResult[];
}

export function searchPage(data: SearchPageData): string {
  const { q, total, results } = data;
  return page(
    q ? `Movies matching “${q}”` : 'Find a movie',
    html`<h1>Find a movie</h1>
      <form method="get" action="/movies/" class="card search-form" role="search">
        <label for="search-q">Title, year, or both</label>
        <div class="search-line">
          <input id="search-q" type="search" name="q" value="${q}" maxlength="200" />
          <button type="submit">Search</button>
        </div>
        <p class="muted">For example “star wars 1977”, “The Empire Strikes Back” or “1995”.</p>
      </form>
      ${q === '' ? '' : resultList(q, total, results)}`,
  );
}

function resultList(q: string, total: number, results: readonly SearchResult[]): SafeHtml {
  if (total === 0) return html`<p data-result-count="0">No movies match “${q}”.</p>`;
  const count =
    results.length < total
      ? html`Showing ${results.length} of ${number.format(total)} movies matching “${q}”, the closest matches and the
        most rated first. Add words or a year to narrow the search.`
      : html`${total === 1 ? 'One movie matches' : `${number.format(total)} movies match`} “${q}”.`;
  return html`<p data-result-count="${total}">${count}</p>
    <ol class="search-results">
      ${results.map(
        ({ movie, ratingCount }) =>
          html`<li data-movie-id="${movie.id}">
            <a href="/movies/${movie.id}">${movie.title}</a>${movie.year ? ` (${movie.year})` : ''}
            <span class="muted">${movie.genres.join(', ') || '(no genres listed)'} · ${ratingText(ratingCount)}</span>
          </li>`,
      )}
    </ol>`;
}

const ratingText = (count: number) => (count === 1 ? '1 rating' : `${number.format(count)} ratings`);

export interface MoviePageData {
  readonly movie: Movie;
  readonly ratingCounts: readonly { rating: number; count: number }[];
  /** One per similar-items model, in the configured order; a failing model's row says why. */
  readonly similarRows: readonly MovieRow[];
  readonly topRaters: readonly TopRater[];
}

/** The number of ratings and their mean, from the counts per rating value. */
export function ratingStats(counts: readonly { rating: number; count: number }[]): {
  count: number;
  average: number | undefined;
} {
  const count = counts.reduce((sum, c) => sum + c.count, 0);
  const total = counts.reduce((sum, c) => sum + c.rating * c.count, 0);
  return { count, average: count === 0 ? undefined : total / count };
}

export function moviePage(data: MoviePageData): string {
  const { movie } = data;
  const stats = ratingStats(data.ratingCounts);
  return page(
    movie.title,
    html`<h1 class="movie-title" data-movie="${movie.id}">${movie.title}${movie.year ? ` (${movie.year})` : ''}</h1>
      <div class="movie-head">
        <img src="/posters/${movie.id}.svg" alt="" width="120" height="180" />
        <section class="card" aria-labelledby="facts-heading">
          <h2 id="facts-heading">About the movie</h2>
          <table>
            <tr>
              <th>Year</th>
              <td data-fact="year">${movie.year ?? 'not known'}</td>
            </tr>
            <tr>
              <th>Genres</th>
              <td data-fact="genres">${movie.genres.join(', ') || '(no genres listed)'}</td>
            </tr>
            <tr>
              <th>Ratings</th>
              <td data-fact="ratings">${number.format(stats.count)}</td>
            </tr>
            <tr>
              <th>Average rating</th>
              <td data-fact="average">
                ${
                  stats.average === undefined
                    ? 'no ratings yet'
                    : html`${stats.average.toFixed(2)} out of 5
                        <span class="stars" aria-hidden="true">${starText(Math.round(stats.average * 2) / 2)}</span>`
                }
              </td>
            </tr>
          </table>
        </section>
        <section class="card" aria-labelledby="stars-heading">
          <h2 id="stars-heading">Ratings by stars</h2>
          <table>
            <thead>
              <tr>
                <th>Stars</th>
                <th class="num">Ratings</th>
                <th class="num">Share</th>
              </tr>
            </thead>
            <tbody>
              ${reviewSummary(data.ratingCounts).map(
                (s) =>
                  html`<tr data-stars="${s.stars}">
                    <td><span class="stars" aria-label="${s.stars} stars">${'★'.repeat(s.stars)}</span></td>
                    <td class="num">${number.format(s.count)}</td>
                    <td class="num">${(s.share * 100).toFixed(1)}%</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </section>
      </div>
      <form method="get" action="/recommend/go" class="card find-form">
        <input type="hidden" name="mode" value="similar" />
        <input type="hidden" name="base" value="${movie.id}" />
        <label for="start-user">Movies like this one for user #</label>
        <input id="start-user" name="user" type="text" inputmode="numeric" autocomplete="off" required />
        <button type="submit">Show Similar Items</button>
      </form>
      ${
        data.similarRows.length
          ? data.similarRows.map(movieRow)
          : html`<div class="notice" role="status">No similar-items model is offered yet.</div>`
      }
      ${topRaters(movie, data.topRaters)}`,
  );
}

function topRaters(movie: Movie, raters: readonly TopRater[]): SafeHtml {
  return html`<section class="card" aria-labelledby="raters-heading">
    <h2 id="raters-heading">Rated highest by</h2>
    ${
      raters.length === 0
        ? html`<p>Nobody has rated this movie yet.</p>`
        : html`<div class="scroll-x">
            <table>
              <thead>
                <tr>
                  <th>User</th>
                  <th>Rating</th>
                  <th>About the user</th>
                </tr>
              </thead>
              <tbody>
                ${raters.map(
                  (r) =>
                    html`<tr data-rater="${r.userId}">
                      <td>
                        <a href="/recommend/${r.userId}/">User ${r.userId}</a>
                        <a class="rater-similar" href="/recommend/${r.userId}/?mode=similar&amp;base=${movie.id}"
                          >Similar Items<span class="visually-hidden"> from this movie for user ${r.userId}</span></a
                        >
                      </td>
                      <td>
                        <span class="stars" aria-label="${r.rating} out of 5 stars">${starText(r.rating)}</span>
                      </td>
                      <td>${[r.age, r.gender, r.occupation].filter((v) => v !== null).join(', ') || '–'}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }
  </section>`;
}
