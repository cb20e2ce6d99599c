/**
 * Loads the web load files into the database: idempotent by manifest (the same manifest again:
 * nothing to do; another: the data is replaced), in one transaction (readers see the old data
 * until the commit: rows are deleted, not truncated, since TRUNCATE would lock readers out), under
 * a transaction-scoped advisory lock, so two instances starting together load once: the second
 * waits for the lock, then finds the manifest already loaded.
 *
 * Ratings, the big file, go through COPY FROM STDIN on a real PostgreSQL; the embedded database
 * takes batched `INSERT … SELECT FROM unnest(…)` instead (see connect.ts). Movies and users are
 * small and always batched.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Writable } from 'node:stream';
import type { Manifest } from '../../lib/data/movielens/prepare';
import type { DatabaseHandle } from './connect';
import {
  LoadSource,
  MovieRow,
  parseManifest,
  parseMovie,
  parseRating,
  parseUser,
  readCsv,
  UserRow,
  WEB_HEADERS,
} from './load-files';
import type { RatingRow } from '../recommenders/port';

/** The advisory lock key of the web data load ("movierec" in ASCII: eight bytes, one int8). */
export const LOAD_LOCK_KEY = 0x6d6f766965726563n;

const BATCH = 5000;

export interface LoadResult {
  readonly status: 'loaded' | 'unchanged';
  readonly manifestSha256: string;
  readonly edition: string;
  readonly counts: { readonly users: number; readonly movies: number; readonly ratings: number };
}

export class NoPreparedDataError extends Error {
  constructor(description: string) {
    super(
      `${description}: no personalize/manifest.json, so no prepared data: prepare it with ` +
        '`npm run data -- --edition <edition> --source <zip> --out <folder>` and pass that folder',
    );
    this.name = 'NoPreparedDataError';
  }
}

export async function loadWebData(handle: DatabaseHandle, source: LoadSource): Promise<LoadResult> {
  const text = await source.readManifest();
  if (text === undefined) throw new NoPreparedDataError(source.description);
  const manifest = parseManifest(text, source.description);
  const manifestSha256 = createHash('sha256').update(text).digest('hex');

  const client = await handle.pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock($1::int8)', [LOAD_LOCK_KEY.toString()]);
    const current = await client.query<{ manifest_sha256: string; users: number; movies: number; ratings: number }>(
      'select manifest_sha256, users, movies, ratings from data_load where id = 1',
    );
    if (current.rows[0]?.manifest_sha256 === manifestSha256) {
      await client.query('commit');
      const { users, movies, ratings } = current.rows[0];
      return { status: 'unchanged', manifestSha256, edition: manifest.edition, counts: { users, movies, ratings } };
    }
    for (const table of ['ratings', 'movies', 'users', 'genres']) await client.query(`delete from ${table}`);
    const counts = await loadTables(client, handle.supportsCopy, source, manifest);
    await client.query(
      `insert into data_load (id, manifest_sha256, edition, source, positive_threshold, users, movies, ratings, loaded_at)
       values (1, $1, $2, $3, $4, $5, $6, $7, now())
       on conflict (id) do update set manifest_sha256 = excluded.manifest_sha256, edition = excluded.edition,
         source = excluded.source, positive_threshold = excluded.positive_threshold, users = excluded.users,
         movies = excluded.movies, ratings = excluded.ratings, loaded_at = excluded.loaded_at`,
      [
        manifestSha256,
        manifest.edition,
        manifest.source,
        manifest.settings.positiveRatingThreshold,
        counts.users,
        counts.movies,
        counts.ratings,
      ],
    );
    await client.query('commit');
    return { status: 'loaded', manifestSha256, edition: manifest.edition, counts };
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function loadTables(
  client: PoolClient,
  supportsCopy: boolean,
  source: LoadSource,
  manifest: Manifest,
): Promise<LoadResult['counts']> {
  const label = (key: string) => `${source.description}/${key}`;

  const moviesKey = manifest.files.webMovies.key;
  const movies = new Batcher<MovieRow>((rows) =>
    client.query(
      `insert into movies (id, title, year, genres)
       select id, title, year, coalesce(string_to_array(nullif(genres, ''), '|'), '{}')
       from unnest($1::int[], $2::text[], $3::int[], $4::text[]) as t(id, title, year, genres)`,
      [rows.map((r) => r.id), rows.map((r) => r.title), rows.map((r) => r.year), rows.map((r) => r.genres.join('|'))],
    ),
  );
  const movieCount = await readCsv(
    await source.open(moviesKey).catch(explain(label(moviesKey))),
    label(moviesKey),
    WEB_HEADERS.movies,
    (fields) => movies.add(parseMovie(fields)),
    () => movies.flushIfFull(),
  ).catch(explain(label(moviesKey)));
  await movies.flush().catch(explain(label(moviesKey)));
  checkRows(label(moviesKey), movieCount, manifest.files.webMovies.rows);

  const ratingsKey = manifest.files.webRatings.key;
  // The file first: a COPY in progress holds the connection, so nothing may fail between the two
  // without aborting it (see below).
  const ratingsStream = await source.open(ratingsKey).catch(explain(label(ratingsKey)));
  const ratingsWriter = supportsCopy ? CopyWriter.open(client) : undefined;
  const ratings = new Batcher<RatingRow>((rows) =>
    ratingsWriter
      ? ratingsWriter.write(rows)
      : client.query(
          `insert into ratings (user_id, movie_id, rating, rated_at)
           select * from unnest($1::int[], $2::int[], $3::real[], $4::int8[])`,
          [
            rows.map((r) => r.userId),
            rows.map((r) => r.movieId),
            rows.map((r) => r.rating),
            rows.map((r) => r.timestamp),
          ],
        ),
  );
  let ratingCount: number;
  try {
    ratingCount = await readCsv(
      ratingsStream,
      label(ratingsKey),
      WEB_HEADERS.ratings,
      (fields) => ratings.add(parseRating(fields)),
      () => ratings.flushIfFull(),
    ).catch(explain(label(ratingsKey)));
    await ratings.flush().catch(explain(label(ratingsKey)));
    await ratingsWriter?.end().catch(explain(label(ratingsKey)));
  } catch (error) {
    // A COPY left open would keep the connection in COPY mode: the rollback would wait forever.
    ratingsWriter?.abort();
    throw error;
  }
  checkRows(label(ratingsKey), ratingCount, manifest.files.webRatings.rows);

  const usersFile = manifest.files.webUsers;
  let userCount: number;
  if (usersFile) {
    const users = new Batcher<UserRow>((rows) =>
      client.query(
        `insert into users (id, age, gender, occupation, zip)
         select * from unnest($1::int[], $2::int[], $3::text[], $4::text[], $5::text[])`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.age),
          rows.map((r) => r.gender),
          rows.map((r) => r.occupation),
          rows.map((r) => r.zip),
        ],
      ),
    );
    userCount = await readCsv(
      await source.open(usersFile.key).catch(explain(label(usersFile.key))),
      label(usersFile.key),
      WEB_HEADERS.users,
      (fields) => users.add(parseUser(fields)),
      () => users.flushIfFull(),
    ).catch(explain(label(usersFile.key)));
    await users.flush().catch(explain(label(usersFile.key)));
    checkRows(label(usersFile.key), userCount, usersFile.rows);
  } else {
    // ml-latest has no users file: a user is someone who rated.
    const result = await client.query('insert into users (id) select distinct user_id from ratings');
    userCount = result.rowCount ?? 0;
  }

  // Popularity: ratings and positive ratings (above the threshold the interactions use).
  await client.query(
    `update movies m set rating_count = s.ratings, positive_count = s.positives
     from (select movie_id, count(*)::int as ratings, count(*) filter (where rating > $1)::int as positives
           from ratings group by movie_id) s
     where s.movie_id = m.id`,
    [manifest.settings.positiveRatingThreshold],
  );
  await client.query(
    `insert into genres (name, movie_count) select g, count(*)::int from movies, unnest(genres) g group by g`,
  );
  await client.query('analyze movies');
  await client.query('analyze ratings');
  return { users: userCount, movies: movieCount, ratings: ratingCount };
}

/** The manifest counted the rows it wrote: a different count means a truncated or foreign file. */
function checkRows(label: string, read: number, expected: number): void {
  if (read !== expected) {
    throw new Error(
      `${label}: ${read} rows, but manifest.json says ${expected}: the file is incomplete or not the one prepared`,
    );
  }
}

/** Names the file in a database error (a duplicate id, say): the file and line errors already do. */
function explain(label: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof Error && error.message.startsWith(label)) throw error;
    throw new Error(`${label}: ${(error as Error).message}`, { cause: error });
  };
}

class Batcher<T> {
  private rows: T[] = [];
  constructor(private readonly write: (rows: T[]) => Promise<unknown>) {}
  add(row: T): void {
    this.rows.push(row);
  }
  async flushIfFull(): Promise<void> {
    if (this.rows.length >= BATCH) await this.flush();
  }
  async flush(): Promise<void> {
    if (this.rows.length === 0) return;
    const rows = this.rows;
    this.rows = [];
    await this.write(rows);
  }
}

/** One COPY FROM STDIN for all ratings, written as CSV, with backpressure. */
class CopyWriter {
  private failure: Error | undefined;
  private ended = false;
  private constructor(private readonly stream: Writable) {
    stream.on('error', (error) => (this.failure ??= error));
  }

  static open(client: PoolClient): CopyWriter {
    return new CopyWriter(
      client.query(copyFrom('copy ratings (user_id, movie_id, rating, rated_at) from stdin with (format csv)')),
    );
  }

  async write(rows: readonly RatingRow[]): Promise<void> {
    if (this.failure) throw this.failure;
    let text = '';
    for (const r of rows) text += `${r.userId},${r.movieId},${r.rating},${r.timestamp}\n`;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async end(): Promise<void> {
    if (this.failure) throw this.failure;
    this.ended = true;
    this.stream.end();
    await once(this.stream, 'finish');
    if (this.failure) throw this.failure;
  }

  /**
   * Ends an unfinished COPY with CopyFail, so the server leaves COPY mode and the connection takes
   * the rollback. Nothing to do once the COPY failed on the server or was ended: the server has
   * answered, or will, and pg runs the next query after it.
   */
  abort(): void {
    if (this.failure || this.ended) return;
    this.stream.destroy(new Error('the load failed'));
  }
}
