/**
 * The attendee's own user (issue 18), as the pages show it: Start as a new user (front page and
 * every user page), the onboarding page (well-known movies by genre and a search, each to rate 1 to
 * 5 stars or skip), the rating form on a tile, the line that says what a row is based on, and the
 * marks of what changed since the previous view. Forms only: it all works without the script.
 */
import type { Movie } from '../db/queries';
import { html, SafeHtml } from '../html';
import { page } from './layout';
import { starText } from './user';

export interface StartPanelData {
  /** The CSRF token of the site's forms. */
  readonly token: string;
  /** This browser's own site user, if it has one. */
  readonly own?: number;
  /** The edition's profile fields (ml-100k); absent: the form asks none. */
  readonly profiles?: { readonly genders: readonly string[]; readonly occupations: readonly string[] };
}

const GENDER_NAMES: Readonly<Record<string, string>> = { F: 'Female', M: 'Male' };

/** Start as a new user, and the way back to one's own user. */
export function startPanel(data: StartPanelData): SafeHtml {
  const { profiles } = data;
  return html`<section class="site-user card" aria-labelledby="site-user-heading">
    <h2 id="site-user-heading">Your own user</h2>
    ${
      data.own !== undefined
        ? html`<p data-own-user="${data.own}">
            You are user ${data.own}: <a href="/recommend/${data.own}/">your recommendations</a> ·
            <a href="/recommend/${data.own}/rate">rate more movies</a>
          </p>`
        : html`<p class="muted">Become a user of your own, rate a few movies and watch every model change its mind.</p>`
    }
    <form method="post" action="/site-users" class="start-user">
      <input type="hidden" name="_csrf" value="${data.token}" />
      ${
        profiles
          ? html`<details>
              <summary>About you (optional)</summary>
              <div class="profile-fields">
                <label for="site-age">Age</label>
                <input id="site-age" name="age" type="number" inputmode="numeric" min="1" max="120" />
                <label for="site-gender">Gender</label>
                <select id="site-gender" name="gender">
                  <option value="">–</option>
                  ${profiles.genders.map((g) => html`<option value="${g}">${GENDER_NAMES[g] ?? g}</option>`)}
                </select>
                <label for="site-occupation">Occupation</label>
                <select id="site-occupation" name="occupation">
                  <option value="">–</option>
                  ${profiles.occupations.map((o) => html`<option value="${o}">${o}</option>`)}
                </select>
              </div>
            </details>`
          : ''
      }
      <button type="submit" id="start-new-user">Start as a new user</button>
    </form>
  </section>`;
}

/** The 1 to 5 stars of one movie (and Skip on the onboarding page): one form, one click. */
export function rateForm(options: {
  readonly userId: number;
  readonly movieId: number;
  readonly token: string;
  /** Where the page goes back to after the rating (an address of this user's pages). */
  readonly back: string;
  readonly current?: number;
  readonly skip?: boolean;
}): SafeHtml {
  const { userId, movieId, token, back, current, skip } = options;
  return html`<form method="post" action="/recommend/${userId}/ratings" class="rate-form" data-rate-movie="${movieId}">
    <input type="hidden" name="_csrf" value="${token}" />
    <input type="hidden" name="movie" value="${movieId}" />
    <input type="hidden" name="back" value="${back}" />
    <span class="visually-hidden">Rate this movie:</span>
    ${[1, 2, 3, 4, 5].map(
      (stars) =>
        html`<button
          type="submit"
          name="stars"
          value="${stars}"
          class="star${current !== undefined && stars <= current ? ' on' : ''}"
          title="${stars} ${stars === 1 ? 'star' : 'stars'}"
          aria-label="${stars} ${stars === 1 ? 'star' : 'stars'}"
        >
          ★
        </button>`,
    )}
    ${skip ? html`<button type="submit" name="stars" value="skip" class="secondary skip">Skip</button>` : ''}
  </form>`;
}

/** How long ago, in words: "20 s", "3 min", "2 h", "4 days". */
export function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86_400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} days`;
}

/** What a local row of a site user is based on: "from 4 ratings, the latest 20 s ago". */
export function localBasis(count: number, latestMs: number | undefined, now: number): string {
  if (count === 0 || latestMs === undefined)
    return 'From no ratings yet: the most popular movies, until you rate some.';
  return `From ${count} ${count === 1 ? 'rating' : 'ratings'}, the latest ${ago(now - latestMs)} ago (recomputed at this view).`;
}

/** A tile's mark of what changed since the previous view: new, or places up or down. */
export type Change = 'new' | number;

export function changeMark(change: Change): SafeHtml {
  if (change === 'new')
    return html`<span class="change new" data-change="new" title="new since your previous view">new</span>`;
  const places = Math.abs(change) === 1 ? 'place' : 'places';
  const [mark, words, kind] =
    change > 0
      ? [`↑${change}`, `up ${change} ${places} since your previous view`, 'up']
      : change < 0
        ? [`↓${-change}`, `down ${-change} ${places} since your previous view`, 'down']
        : ['=', 'same place as at your previous view', 'same'];
  return html`<span class="change ${kind}" data-change="${change}" title="${words}"
    ><span aria-hidden="true">${mark}</span><span class="visually-hidden">${words}</span></span
  >`;
}

/** Per movie of `current`, what changed against `previous` (undefined: no previous view, no marks). */
export function changesFrom(
  previous: readonly number[] | undefined,
  current: readonly number[],
): Map<number, Change> | undefined {
  if (!previous) return undefined;
  const before = new Map(previous.map((id, place) => [id, place]));
  return new Map(
    current.map((id, place) => {
      const from = before.get(id);
      return [id, from === undefined ? 'new' : from - place] as const;
    }),
  );
}

export interface OnboardingData {
  readonly userId: number;
  readonly token: string;
  readonly ratedCount: number;
  readonly q: string;
  /** Search results (undefined: no search). */
  readonly results?: readonly Movie[];
  readonly resultsTotal?: number;
  readonly genres: readonly { readonly genre: string; readonly movies: readonly Movie[] }[];
  /** The user's ratings, by movie id: shown on the tiles. */
  readonly ratings: ReadonlyMap<number, number>;
  readonly notice?: string;
}

function rateTile(movie: Movie, data: OnboardingData, back: string): SafeHtml {
  const current = data.ratings.get(movie.id);
  return html`<li class="rate-tile" data-movie-id="${movie.id}">
    <img src="/posters/${movie.id}.svg" alt="" width="120" height="180" loading="lazy" />
    <span class="title"><a href="/movies/${movie.id}">${movie.title}</a></span>
    <span class="year">${movie.year ?? ''}</span>
    ${current !== undefined ? html`<span class="stars" aria-label="you rated it ${current} out of 5">${starText(current)}</span>` : ''}
    ${rateForm({ userId: data.userId, movieId: movie.id, token: data.token, back, current, skip: current === undefined })}
  </li>`;
}

/** /recommend/<id>/rate: well-known movies by genre, and a search, to rate or skip. */
export function onboardingPage(data: OnboardingData): string {
  const back = `/recommend/${data.userId}/rate${data.q ? `?${new URLSearchParams({ q: data.q })}` : ''}`;
  return page(
    `Rate movies · user ${data.userId}`,
    html`<div class="page-head">
        <h1>Rate movies you have seen</h1>
      </div>
      <p class="onboarding-summary">
        You are user ${data.userId} and have rated
        <strong data-rated-count="${data.ratedCount}">${data.ratedCount}</strong>
        ${data.ratedCount === 1 ? 'movie' : 'movies'}.
        <a class="button" href="/recommend/${data.userId}/" id="see-recommendations">See your recommendations</a>
      </p>
      ${data.notice ? html`<div class="notice" role="status">${data.notice}</div>` : ''}
      <form method="get" action="/recommend/${data.userId}/rate" role="search" class="card search-line">
        <label for="rate-search" class="visually-hidden">Find a movie to rate</label>
        <input
          id="rate-search"
          name="q"
          type="search"
          maxlength="200"
          value="${data.q}"
          placeholder="Find a movie to rate"
        />
        <button type="submit">Search</button>
      </form>
      ${
        data.results
          ? html`<section class="rate-genre" aria-labelledby="results-heading">
              <h2 id="results-heading">
                ${data.resultsTotal ?? data.results.length}
                ${data.resultsTotal === 1 ? 'movie matches' : 'movies match'} “${data.q}”
              </h2>
              ${
                data.results.length
                  ? html`<ul class="rate-grid" id="search-results">
                      ${data.results.map((m) => rateTile(m, data, back))}
                    </ul>`
                  : html`<p class="muted">No movie matches. Try part of the title, or a year.</p>`
              }
            </section>`
          : ''
      }
      ${
        data.genres.length > 1
          ? html`<nav class="genre-links" aria-label="Genres">
              ${data.genres.map(({ genre }, i) => html`<a href="#genre-${i + 1}">${genre}</a>`)}
            </nav>`
          : ''
      }
      ${data.genres.map(
        ({ genre, movies }, i) =>
          html`<section class="rate-genre" aria-label="${genre}" data-genre="${genre}" id="genre-${i + 1}">
            <h2>${genre}</h2>
            <ul class="rate-grid">
              ${movies.map((m) => rateTile(m, data, back))}
            </ul>
          </section>`,
      )}`,
  );
}
