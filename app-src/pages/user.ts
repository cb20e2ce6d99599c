/**
 * /recommend/<userId>/: the user page in its three modes. Every choice lives in the query string
 * (mode, m1, m2, genre, base, order, reviews), so a link can be shared, Back works, and a page
 * opened directly works. Model rows are fetched concurrently; a row whose model fails says why.
 */
import type { Movie, Review, User } from '../db/queries';
import { html, SafeHtml } from '../html';
import type { Model } from '../recommenders/port';
import { page } from './layout';
import { modelName } from './front';

export const ROW_LENGTH = 25;
/** Model 2's "No model": one row of recommendations (no model id has this form: they hold a colon). */
export const NO_MODEL = 'none';

export const MODES = { recommend: 'Recommendations', ranking: 'Personal Ranking', similar: 'Similar Items' } as const;
export type Mode = keyof typeof MODES;
/**
 * Similar Items' orderings. The default is the similar-items model's own order (the original
 * workshop's first choice: not re-ranked); Personalized re-ranks the same movies with the ranking
 * model; Most popular re-sorts them by positive ratings.
 */
export const ORDERINGS = { model: 'Model order', personalized: 'Personalized', popular: 'Most popular' } as const;
export type Ordering = keyof typeof ORDERINGS;

/** The page's state, as parsed and checked from the query string. */
export interface UserPageState {
  readonly mode: Mode;
  readonly m1?: string;
  readonly m2?: string;
  /** Undefined: All. */
  readonly genre?: string;
  readonly base?: number;
  readonly order: Ordering;
  readonly reviews: boolean;
}

export interface MovieRow {
  readonly heading: SafeHtml | string;
  readonly movies?: readonly Movie[];
  /** "recommendations unavailable: <reason>" is shown instead of tiles. */
  readonly unavailable?: string;
  /** Stars to show per movie (the user's reviews). */
  readonly ratings?: ReadonlyMap<number, number>;
  /** Tiles link here (Similar Items: the movie becomes the base). */
  readonly link?: (movie: Movie) => string;
  /** Similar Items: the starting movie, shown first and marked as such (it is not a recommendation). */
  readonly start?: Movie;
  /** Recommendations: the movies Model 1 and Model 2 both recommend, marked on their tiles. */
  readonly shared?: ReadonlySet<number>;
  /** Local item-kNN models: per movie, the liked movie that contributed most ("because you liked"). */
  readonly because?: ReadonlyMap<number, Movie>;
  /** Personal Ranking: per movie, places moved from the popular order (positive: up). */
  readonly moves?: ReadonlyMap<number, number>;
  /** Said under the heading: how the row's filters were applied (a Personalize row without a genre filter). */
  readonly note?: string;
  /** Per movie, the model's own reason in words (User-Personalization-v2's reason list). */
  readonly reasons?: ReadonlyMap<number, string>;
  /** Movies a promotion placed, labelled "Promoted". */
  readonly promoted?: ReadonlySet<number>;
  /** The row's id for tests and in-page links. */
  readonly id: string;
  /** The attendee's own user (issue 18): what the row is based on, said under its heading. */
  readonly basis?: string;
  /** Added inside a tile (what changed since the previous view), and after its link (the rating form). */
  readonly tileMark?: (movie: Movie) => SafeHtml | string;
  readonly tileForm?: (movie: Movie) => SafeHtml | string;
}

export interface UserPageData {
  readonly user: User;
  readonly state: UserPageState;
  readonly neighbours: { readonly previous: number; readonly next: number };
  readonly ratingCounts: readonly { rating: number; count: number }[];
  readonly models: {
    readonly recommend: readonly Model[];
    readonly ranking: readonly Model[];
    readonly sims: readonly Model[];
  };
  readonly genres: readonly string[];
  readonly reviews: readonly Review[];
  readonly baseMovie?: Movie;
  readonly rows: readonly MovieRow[];
  /** Said above the rows: a model in the address that is gone, a default passed over. */
  readonly notices?: readonly string[];
  /** Start as a new user, and the attendee's own user (pages/site-user.ts). */
  readonly own?: SafeHtml;
}

/** The query string of a state, with only what differs from the defaults left out. */
export function stateQuery(state: UserPageState, change: Partial<UserPageState> = {}): string {
  const s = { ...state, ...change };
  const params = new URLSearchParams();
  params.set('mode', s.mode);
  if (s.m1) params.set('m1', s.m1);
  if (s.m2) params.set('m2', s.m2);
  if (s.genre) params.set('genre', s.genre);
  if (s.base !== undefined) params.set('base', String(s.base));
  if (s.order !== 'model') params.set('order', s.order);
  params.set('reviews', s.reviews ? 'show' : 'hide');
  return params.toString();
}

export function userUrl(userId: number, state: UserPageState, change: Partial<UserPageState> = {}): string {
  return `/recommend/${userId}/?${stateQuery(state, change)}`;
}

/** Counts per star level, 5 to 1; half stars (ml-latest) count toward the star above. */
export function reviewSummary(counts: readonly { rating: number; count: number }[]): {
  stars: number;
  count: number;
  share: number;
}[] {
  const byStar = new Map<number, number>([5, 4, 3, 2, 1].map((s) => [s, 0]));
  let total = 0;
  for (const { rating, count } of counts) {
    const stars = Math.min(5, Math.max(1, Math.ceil(rating)));
    byStar.set(stars, (byStar.get(stars) ?? 0) + count);
    total += count;
  }
  return [5, 4, 3, 2, 1].map((stars) => {
    const count = byStar.get(stars) ?? 0;
    return { stars, count, share: total === 0 ? 0 : count / total };
  });
}

export function starText(rating: number): string {
  const full = Math.floor(rating);
  return '★'.repeat(full) + (rating - full >= 0.5 ? '½' : '') + '☆'.repeat(5 - Math.ceil(rating));
}

/** ↑3 / ↓5 / = against the popular order, with the words for screen readers. */
function moveBadge(move: number): SafeHtml {
  const places = Math.abs(move) === 1 ? 'place' : 'places';
  const [mark, words, kind] =
    move > 0
      ? [`↑${move}`, `up ${move} ${places} from the popular order`, 'up']
      : move < 0
        ? [`↓${-move}`, `down ${-move} ${places} from the popular order`, 'down']
        : ['=', 'same place as in the popular order', 'same'];
  return html`<span class="move ${kind}" data-move="${move}" title="${words}"
    ><span aria-hidden="true">${mark}</span><span class="visually-hidden">${words}</span></span
  >`;
}

/** What a tile adds to the movie: the user's stars, the rank movement, the liked movie behind it. */
interface TileExtras {
  readonly rating?: number;
  readonly shared?: boolean;
  readonly because?: Movie;
  readonly move?: number;
  readonly mark?: SafeHtml | string;
  readonly form?: SafeHtml | string;
  readonly reason?: string;
  readonly promoted?: boolean;
}

function tileExtras(row: MovieRow, movie: Movie): TileExtras {
  return {
    rating: row.ratings?.get(movie.id),
    shared: row.shared?.has(movie.id),
    because: row.because?.get(movie.id),
    move: row.moves?.get(movie.id),
    mark: row.tileMark?.(movie),
    form: row.tileForm?.(movie),
    reason: row.reasons?.get(movie.id),
    promoted: row.promoted?.has(movie.id),
  };
}

function tile(movie: Movie, link: string | undefined, extras: TileExtras = {}): SafeHtml {
  const { rating, shared, because, move, mark, form, reason, promoted } = extras;
  const body = html`${shared ? html`<span class="both-label" data-shared>Both models</span>` : ''}
    ${promoted ? html`<span class="promoted-label" data-promoted>Promoted</span>` : ''}
    <img src="/posters/${movie.id}.svg" alt="" width="120" height="180" loading="lazy" />
    ${
      rating !== undefined
        ? html`<span class="stars" aria-label="${rating} out of 5 stars">${starText(rating)}</span>`
        : ''
    }
    <span class="year">${movie.year ?? ''}</span>
    <span class="title">${movie.title}</span>
    <span class="genres">${movie.genres.join(', ') || '(no genres listed)'}</span>
    ${move !== undefined ? moveBadge(move) : ''} ${mark ?? ''}
    ${because ? html`<span class="because" data-because="${because.id}">Because you liked ${because.title}</span>` : ''}
    ${reason ? html`<span class="because" data-reason>${reason}</span>` : ''}`;
  // Every tile reaches the movie page: the whole tile, or, where the tile makes the movie the base
  // of Similar Items (`link`), a link of its own under it.
  return html`<li class="tile" data-movie-id="${movie.id}">
    ${
      link
        ? html`<a href="${link}" title="Movies like ${movie.title}">${body}</a> ${aboutLink(movie)}`
        : html`<a href="/movies/${movie.id}">${body}</a>`
    }
    ${form ?? ''}
  </li>`;
}

/**
 * The movie page, from a tile whose own link does something else. Its name leaves the title out:
 * the tile's link is the one named by the title.
 */
function aboutLink(movie: Movie): SafeHtml {
  return html`<a class="tile-about" href="/movies/${movie.id}">About this movie</a>`;
}

/** The starting movie of Similar Items: first in the row, marked, linked to its movie page only (it is the base already). */
function startTile(movie: Movie): SafeHtml {
  return html`<li class="start-tile" data-start-movie-id="${movie.id}">
    <span class="start-label">If you liked this</span>
    <img src="/posters/${movie.id}.svg" alt="" width="120" height="180" loading="lazy" />
    <span class="year">${movie.year ?? ''}</span>
    <span class="title">${movie.title}</span>
    <span class="genres">${movie.genres.join(', ') || '(no genres listed)'}</span>
    ${aboutLink(movie)}
  </li>`;
}

export function movieRow(row: MovieRow): SafeHtml {
  return html`<section class="row" id="${row.id}" aria-label="${row.heading}">
    <div class="row-header"><h2>${row.heading}</h2></div>
    ${row.basis ? html`<p class="row-basis" data-basis>${row.basis}</p>` : ''}
    ${row.note ? html`<p class="row-note" data-row-note>${row.note}</p>` : ''}
    ${
      row.unavailable !== undefined
        ? html`<div class="unavailable" role="status">recommendations unavailable: ${row.unavailable}</div>`
        : row.movies && row.movies.length
          ? html`<ul class="tiles" tabindex="0">
              ${row.start ? startTile(row.start) : ''}
              ${row.movies.map((m) => tile(m, row.link?.(m), tileExtras(row, m)))}
            </ul>`
          : html`<div class="unavailable" role="status">No movies to show.</div>`
    }
  </section>`;
}

/** Hidden inputs carrying the state a form does not itself change. */
function hidden(state: UserPageState, keep: readonly (keyof UserPageState)[]): SafeHtml {
  const params = new URLSearchParams(stateQuery(state));
  return html`${[...params].filter(([k]) => keep.includes(k as keyof UserPageState)).map(([k, v]) => html`<input type="hidden" name="${k}" value="${v}" />`)}`;
}

function select(
  name: string,
  label: string,
  options: readonly (readonly [string, string])[],
  selected: string | undefined,
): SafeHtml {
  return html`<div class="field">
    <label for="${name}">${label}</label>
    <select id="${name}" name="${name}">
      ${options.map(([value, text]) => html`<option value="${value}" ${value === selected ? html`selected` : ''}>${text}</option>`)}
    </select>
  </div>`;
}

/** Shown without the script; with it, once a keyboard change waits (static/assets.ts). */
const SHOW_BUTTON = html`<button type="submit" class="secondary show-button">Show</button>`;

/**
 * The user page: the user and Prev/Next on one line, the controls as one toolbar, then the rows
 * (results come before the user's details, on a phone too), then the details. Show User Reviews
 * is a checkbox after a hidden reviews=hide: unticked, the form says reviews=hide; ticked, hide
 * then show, and the last counts (routes/recommend.ts). An address without `reviews` shows them,
 * whatever else it holds.
 */
export function userPage(data: UserPageData): string {
  const { user, state } = data;
  const navState = { ...state, base: undefined };
  const navHidden = hidden(navState, ['mode', 'm1', 'm2', 'genre', 'order', 'reviews']);
  const checked = state.reviews ? html`checked` : '';
  const reviewsBox = html`<input type="checkbox" name="reviews" value="show" ${checked} id="reviews-toggle" />`;
  return page(
    `User ${user.id}`,
    html`<div class="page-head">
        <h1>User ${user.id}</h1>
        <nav class="user-nav" aria-label="Users">
          <form method="get" action="/recommend/${data.neighbours.previous}/" data-keep-focus>
            ${navHidden}
            <button type="submit" id="prev-user">Prev User</button>
          </form>
          <form method="get" action="/recommend/${data.neighbours.next}/" data-keep-focus>
            ${navHidden}
            <button type="submit" id="next-user">Next User</button>
          </form>
          <form method="get" action="/recommend/">
            <button type="submit" class="secondary">Home</button>
          </form>
        </nav>
      </div>
      <section class="toolbar" aria-labelledby="control-heading">
        <h2 id="control-heading" class="visually-hidden">Control Panel</h2>
        <form method="get" action="/recommend/${user.id}/" data-autosubmit>
          ${select('mode', 'Personalize Mode', Object.entries(MODES), state.mode)}
          ${hidden(state, ['m1', 'm2', 'genre', 'order', 'reviews'])} ${SHOW_BUTTON}
        </form>
        ${modeControls(data)}
        <form method="get" action="/recommend/${user.id}/" data-autosubmit>
          ${hidden(state, ['mode', 'm1', 'm2', 'genre', 'base', 'order'])}
          <input type="hidden" name="reviews" value="hide" />
          <label class="inline-label"> ${reviewsBox} Show User Reviews </label>
          ${SHOW_BUTTON}
        </form>
      </section>
      ${(data.notices ?? []).map((n) => html`<div class="notice" role="status">${n}</div>`)} ${baseNote(data)}
      <div class="user-layout">
        <div class="results">
          ${
            state.reviews
              ? movieRow({
                  id: 'reviews',
                  heading: 'Your top movie reviews',
                  movies: data.reviews.map((r) => r.movie),
                  ratings: new Map(data.reviews.map((r) => [r.movie.id, r.rating])),
                })
              : ''
          }
          ${data.rows.map(movieRow)}
        </div>
        <aside class="user-side" aria-label="About user ${user.id}">
          ${data.own ?? ''}
          <section class="card" aria-labelledby="user-heading">
            <h2 id="user-heading">Current User</h2>
            <table>
              <tr>
                <th>User id</th>
                <td data-user-id="${user.id}">${user.id}</td>
              </tr>
              ${
                user.age !== null
                  ? html`<tr>
                      <th>Age</th>
                      <td>${user.age}</td>
                    </tr>`
                  : ''
              }
              ${
                user.gender !== null
                  ? html`<tr>
                      <th>Gender</th>
                      <td>${user.gender}</td>
                    </tr>`
                  : ''
              }
              ${
                user.occupation !== null
                  ? html`<tr>
                      <th>Occupation</th>
                      <td>${user.occupation}</td>
                    </tr>`
                  : ''
              }
            </table>
          </section>
          <section class="card" aria-labelledby="summary-heading">
            <h2 id="summary-heading">User Review Summary</h2>
            <table>
              <thead>
                <tr>
                  <th>Stars</th>
                  <th class="num">Reviews</th>
                  <th class="num">Share</th>
                </tr>
              </thead>
              <tbody>
                ${reviewSummary(data.ratingCounts).map(
                  (s) =>
                    html`<tr data-stars="${s.stars}">
                      <td><span class="stars" aria-label="${s.stars} stars">${'★'.repeat(s.stars)}</span></td>
                      <td class="num">${s.count}</td>
                      <td class="num">${(s.share * 100).toFixed(1)}%</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </section>
        </aside>
      </div>`,
    { goToUserState: new URLSearchParams(stateQuery(navState)) },
  );
}

/**
 * The Genre control, in every mode: every row of the page then shows only movies of that genre
 * (Recommendations and Similar Items through each model's filter, Personal Ranking by the list
 * it ranks). First in each mode's form: on a phone it shares a line with the mode, and Model 1
 * and Model 2 share the next.
 */
function genreSelect(data: UserPageData): SafeHtml {
  return select('genre', 'Genre', [['', 'All'], ...data.genres.map((g) => [g, g] as const)], data.state.genre ?? '');
}

function modeControls(data: UserPageData): SafeHtml {
  const { state, models, user } = data;
  const options = (list: readonly Model[]) => list.map((m) => [m.id, modelName(m)] as const);
  if (state.mode === 'recommend') {
    return html`<form method="get" action="/recommend/${user.id}/" data-autosubmit>
      ${hidden(state, ['mode', 'order', 'reviews'])} ${genreSelect(data)}
      ${select('m1', 'Model 1', options(models.recommend), state.m1)}
      ${select('m2', 'Model 2', [...options(models.recommend), [NO_MODEL, 'No model'] as const], state.m2)}
      ${SHOW_BUTTON}
    </form>`;
  }
  if (state.mode === 'ranking') {
    return html`<form method="get" action="/recommend/${user.id}/" data-autosubmit>
      ${hidden(state, ['mode', 'm1', 'm2', 'order', 'reviews'])} ${genreSelect(data)} ${SHOW_BUTTON}
    </form>`;
  }
  const noRanking = models.ranking.length === 0;
  return html`<form method="get" action="/recommend/${user.id}/" data-autosubmit>
    ${hidden(state, ['mode', 'm1', 'm2', 'base', 'reviews'])} ${genreSelect(data)}
    ${select(
      'order',
      'Ordering',
      Object.entries(ORDERINGS).filter(([value]) => !(noRanking && value === 'personalized')),
      state.order,
    )}
    ${noRanking ? html`<p class="muted">No ranking model exists, so the list cannot be personalized: it keeps the model's order.</p>` : ''}
    ${SHOW_BUTTON}
  </form>`;
}

/** Similar Items: the movie the row starts from, said under the toolbar. */
function baseNote(data: UserPageData): SafeHtml | string {
  if (data.state.mode !== 'similar') return '';
  return data.baseMovie
    ? html`<p class="base-note" data-base-movie="${data.baseMovie.id}">
        Movies like <strong>${data.baseMovie.title}</strong>${data.baseMovie.year ? ` (${data.baseMovie.year})` : ''}.
        Click a tile to start from that movie.
      </p>`
    : html`<p class="base-note">This user has no reviews to start from.</p>`;
}
