/**
 * The queries of the movie search and the movie page (issue 16 point 11). The search reads every
 * title (no index serves a substring match in both PGlite and PostgreSQL): about 0.3 s for ml-25m's
 * 62,000 titles on this project's loaded 2-core machine, a few milliseconds on ml-100k. The movie
 * page reads the ratings_by_movie index (migration 0003) alone.
 */
import { Kysely, RawBuilder, sql } from 'kysely';
import type { Database } from './schema';
import { Movie, toMovie } from './queries';
import { ARTICLES } from '../titles';

/**
 * Accents folded away, in SQL for both sides of every comparison (the titles and what was typed),
 * so "amelie" finds "Amélie" and "cite" "Cité". Uppercase letters map to lowercase ones here since
 * lower() leaves non-ASCII letters alone in some database locales. One character each (translate).
 */
const FOLDS: readonly (readonly [string, string])[] = [
  ['àáâãäåāąÀÁÂÃÄÅĀĄ', 'a'],
  ['çćčÇĆČ', 'c'],
  ['ďđĎĐ', 'd'],
  ['èéêëēęěÈÉÊËĒĘĚ', 'e'],
  ['ğĞ', 'g'],
  ['ìíîïīıÌÍÎÏĪİ', 'i'],
  ['łŁ', 'l'],
  ['ñńňÑŃŇ', 'n'],
  ['òóôõöøōőÒÓÔÕÖØŌŐ', 'o'],
  ['řŘ', 'r'],
  ['śšşŚŠŞ', 's'],
  ['ťŤ', 't'],
  ['ùúûüūůűÙÚÛÜŪŮŰ', 'u'],
  ['ýÿÝŸ', 'y'],
  ['źżžŹŻŽ', 'z'],
  ['’‘', "'"],
];
const FOLD_FROM = FOLDS.map(([from]) => from).join('');
const FOLD_TO = FOLDS.map(([from, to]) => to.repeat([...from].length)).join('');

/** What was typed, folded (a parameter). */
function fold(text: string): RawBuilder<string> {
  return sql<string>`lower(translate(${text}::text, ${sql.lit(FOLD_FROM)}, ${sql.lit(FOLD_TO)}))`;
}

/**
 * A title, folded. translate() costs about the length of FOLD_FROM per character: 2.7 s over 62,000
 * titles (ml-25m's count) on this project's loaded 2-core machine, against 40 ms for lower() alone.
 * A title all in ASCII (one byte a character: most of them) has nothing to fold and skips it.
 */
const FOLDED_TITLE = sql<string>`lower(case when octet_length(title) = char_length(title) then title
  else translate(title, ${sql.lit(FOLD_FROM)}, ${sql.lit(FOLD_TO)}) end)`;

/** LIKE's wildcards taken literally (backslash is PostgreSQL's default LIKE escape). */
const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** What a search asks, parsed from the text as typed. */
export interface MovieSearch {
  /** Words every title must hold, anywhere, in any order. */
  readonly words: readonly string[];
  /** Four-digit numbers: the movie's year, or a number in its title ("2001: A Space Odyssey"). */
  readonly years: readonly string[];
  /** Whole titles that rank first: as typed, then without its years, each also in MovieLens form. */
  readonly exact: readonly (readonly string[])[];
  /** Title beginnings that rank next (as typed, and without a leading article). */
  readonly prefixes: readonly string[];
}

const EDGE_PUNCTUATION = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
const YEAR = /^\d{4}$/;
const LOWER_ARTICLES = new Set([...ARTICLES].map((a) => a.toLowerCase()));

/**
 * The search's parts: words split at spaces and apostrophes ("L'Homme" holds "homme"), punctuation
 * at their edges dropped ("Back," is "Back"); nothing left to match: undefined.
 */
export function parseMovieSearch(text: string): MovieSearch | undefined {
  const tokens = [
    ...new Set(
      text
        .split(/[\s'’‘]+/u)
        .map((t) => t.replace(EDGE_PUNCTUATION, ''))
        .filter((t) => t !== ''),
    ),
  ];
  if (tokens.length === 0) return undefined;
  const years = tokens.filter((t) => YEAR.test(t));
  const words = tokens.filter((t) => !YEAR.test(t));
  const asTyped = text.trim().replace(/\s+/g, ' ');
  const withoutYears = asTyped
    .replace(/(^|\s)\(?\d{4}\)?(?=\s|$)/g, ' ')
    .trim()
    .replace(/\s+/g, ' ');
  const forms = [asTyped, ...(words.length && withoutYears !== asTyped ? [withoutYears] : [])];
  return {
    words,
    years,
    exact: forms.map((form) => [form, ...articleMoved(form)]),
    prefixes: [...new Set(forms.flatMap((form) => [form, ...withoutArticle(form)]))],
  };
}

/** "The Empire Strikes Back" -> "Empire Strikes Back, The"; "L'Homme" -> "Homme, L'" (MovieLens form). */
function articleMoved(form: string): string[] {
  const split = leadingArticle(form);
  return split ? [`${split.rest}, ${split.article}`] : [];
}

function withoutArticle(form: string): string[] {
  const split = leadingArticle(form);
  return split ? [split.rest] : [];
}

function leadingArticle(form: string): { article: string; rest: string } | undefined {
  const match = /^(\p{L}+'|\p{L}+ )\s*(.+)$/u.exec(form);
  if (!match) return undefined;
  const article = match[1].trim();
  return LOWER_ARTICLES.has(article.toLowerCase()) ? { article, rest: match[2] } : undefined;
}

export interface SearchResult {
  readonly movie: Movie;
  readonly ratingCount: number;
}

export interface TopRater {
  readonly userId: number;
  readonly rating: number;
  readonly age: number | null;
  readonly gender: string | null;
  readonly occupation: string | null;
}

export class MovieQueries {
  constructor(private readonly db: Kysely<Database>) {}

  /**
   * The movies that match, at most `limit`, and how many match in all. Whole-title matches first,
   * then titles that begin with the text, then the rest; the most-rated first within each.
   */
  async search(search: MovieSearch, limit: number): Promise<{ total: number; results: SearchResult[] }> {
    const folded = sql.ref('folded');
    const conditions = [
      ...search.words.map((word) => sql`${folded} like '%' || ${fold(likeEscaped(word))} || '%'`),
      ...search.years.map(
        (year) => sql`(year = ${Number(year)} or ${folded} like '%' || ${fold(likeEscaped(year))} || '%')`,
      ),
    ];
    const exactLevels = search.exact.map(
      (forms, level) => sql`when ${folded} in (${sql.join(forms.map((form) => fold(form)))}) then ${sql.lit(level)}`,
    );
    const prefix = sql.join(
      search.prefixes.map((form) => sql`${folded} like ${fold(likeEscaped(form))} || '%'`),
      sql` or `,
    );
    const { rows } = await sql<{
      id: number;
      title: string;
      year: number | null;
      genres: string[];
      positive_count: number;
      rating_count: number;
      total: number;
    }>`
      with m as materialized (select id, title, year, genres, positive_count, rating_count,
                                     ${FOLDED_TITLE} as folded
                              from movies)
      select id, title, year, genres, positive_count, rating_count, (count(*) over ())::int as total,
             case ${sql.join(exactLevels, sql` `)} when ${prefix} then ${sql.lit(search.exact.length)}
                  else ${sql.lit(search.exact.length + 1)} end as rank
      from m
      where ${sql.join(conditions, sql` and `)}
      order by rank, rating_count desc, title, id
      limit ${limit}`.execute(this.db);
    return {
      total: rows[0]?.total ?? 0,
      results: rows.map((row) => ({ movie: toMovie(row), ratingCount: row.rating_count })),
    };
  }

  /** How many ratings the movie has at each rating value, highest first (ratings_by_movie). */
  async ratingCounts(movieId: number): Promise<{ rating: number; count: number }[]> {
    return this.db
      .selectFrom('ratings')
      .select(['rating', sql<number>`count(*)::int`.as('count')])
      .where('movie_id', '=', movieId)
      .groupBy('rating')
      .orderBy('rating', 'desc')
      .execute();
  }

  /** The users who rated the movie highest, the latest first among equals (ratings_by_movie). */
  async topRaters(movieId: number, limit: number): Promise<TopRater[]> {
    const rows = await this.db
      .selectFrom('ratings')
      .innerJoin('users', 'users.id', 'ratings.user_id')
      .select(['ratings.user_id', 'ratings.rating', 'users.age', 'users.gender', 'users.occupation'])
      .where('ratings.movie_id', '=', movieId)
      .orderBy('ratings.rating', 'desc')
      .orderBy('ratings.rated_at', 'desc')
      .orderBy('ratings.user_id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      userId: r.user_id,
      rating: r.rating,
      age: r.age,
      gender: r.gender,
      occupation: r.occupation,
    }));
  }
}
