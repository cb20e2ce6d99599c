/**
 * The web data load (app-src/db/loader.ts) on the embedded PGlite and, when TEST_DATABASE_URL is
 * set, a real PostgreSQL: what lands in the tables, idempotence by manifest, replacement, an
 * all-or-nothing load when a file is bad, and (PostgreSQL only) readers and a second loader
 * during a load.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import pg from 'pg';
import { connectDatabase, DatabaseHandle } from '../../app-src/db/connect';
import { startEmbeddedDatabase } from '../../app-src/db/embedded';
import { FolderLoadSource, LoadSource } from '../../app-src/db/load-files';
import { LOAD_LOCK_KEY, loadWebData, NoPreparedDataError } from '../../app-src/db/loader';
import { migrateToLatest } from '../../app-src/db/migrations';
import {
  DATABASE_KINDS,
  FIXTURE_MOVIES,
  FIXTURE_RATINGS,
  FIXTURE_USERS,
  freshPostgresDatabase,
  writePreparedFixture,
} from './helpers';

type Rating = [number, number, number, number];

const THRESHOLD = 3.6;

/** Revision r2: other ratings (user 1 rates Halloween, nobody rates Toy Story). */
const R2_RATINGS: Rating[] = [
  [1, 9, 5, 2000],
  [2, 3, 2, 2001],
  [3, 3, 4.5, 2002],
  [4, 12, 3.5, 2003],
  [5, 5, 4, 2004],
];

/** `count` ratings with every half star, users 1-6, movies 1-12, distinct timestamps. */
function manyRatings(count: number, firstTimestamp = 1_000_000): Rating[] {
  return Array.from({ length: count }, (_, i): Rating => [
    1 + (i % 6),
    1 + ((i * 7) % 12),
    0.5 * (1 + ((i * 3) % 10)),
    firstTimestamp + i,
  ]);
}

function expectedMovies(ratings: readonly Rating[]) {
  return FIXTURE_MOVIES.map((m) => ({
    id: m.id,
    title: m.title,
    year: m.year === '' ? null : m.year,
    genres: m.genres,
    rating_count: ratings.filter((r) => r[1] === m.id).length,
    positive_count: ratings.filter((r) => r[1] === m.id && r[2] > THRESHOLD).length,
  }));
}

function expectedGenres() {
  const counts = new Map<string, number>();
  for (const m of FIXTURE_MOVIES) for (const g of m.genres) counts.set(g, (counts.get(g) ?? 0) + 1);
  return [...counts]
    .map(([name, movie_count]) => ({ name, movie_count }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The ratings as stored, in timestamp order (every fixture's timestamps are distinct). */
async function storedRatings(handle: DatabaseHandle): Promise<Rating[]> {
  const { rows } = await handle.pool.query<{ user_id: number; movie_id: number; rating: number; rated_at: string }>(
    'select user_id, movie_id, rating, rated_at from ratings order by rated_at, user_id, movie_id',
  );
  return rows.map((r) => [r.user_id, r.movie_id, r.rating, Number(r.rated_at)]);
}

function byTimestamp(ratings: readonly Rating[]): Rating[] {
  return [...ratings].sort((a, b) => a[3] - b[3]);
}

/** Everything the load writes, to compare before and after. */
async function snapshot(handle: DatabaseHandle) {
  const rows = async (sql: string) => (await handle.pool.query(sql)).rows;
  return {
    movies: await rows('select id, title, year, genres, rating_count, positive_count from movies order by id'),
    users: await rows('select id, age, gender, occupation, zip from users order by id'),
    ratings: await storedRatings(handle),
    genres: await rows('select name, movie_count from genres order by name'),
    dataLoad: await rows(
      'select manifest_sha256, edition, source, positive_threshold, users, movies, ratings, loaded_at from data_load',
    ),
  };
}

function manifestSha256(folder: string): string {
  return createHash('sha256')
    .update(readFileSync(path.join(folder, 'personalize', 'manifest.json')))
    .digest('hex');
}

/** A folder's files, except that the ratings file stops after `pauseAfter` lines until released. */
class PausingSource implements LoadSource {
  readonly description: string;
  /** Resolves when the loader has read the ratings up to the pause. */
  readonly paused: Promise<void>;
  private markPaused!: () => void;
  private readonly gate: Promise<void>;
  /** Lets the ratings file go on. */
  resume!: () => void;

  constructor(
    private readonly folder: string,
    private readonly pauseAfter: number,
  ) {
    this.description = path.resolve(folder);
    this.paused = new Promise((resolve) => (this.markPaused = resolve));
    this.gate = new Promise((resolve) => (this.resume = resolve));
  }

  readManifest(): Promise<string | undefined> {
    return new FolderLoadSource(this.folder).readManifest();
  }

  async open(key: string): Promise<Readable> {
    if (key !== 'web/ratings.csv') return new FolderLoadSource(this.folder).open(key);
    const lines = readFileSync(path.join(this.folder, 'web', 'ratings.csv'), 'utf8').split(/(?<=\n)/);
    const head = Buffer.from(lines.slice(0, 1 + this.pauseAfter).join(''));
    const tail = Buffer.from(lines.slice(1 + this.pauseAfter).join(''));
    const markPaused = () => this.markPaused();
    const gate = this.gate;
    return Readable.from(
      (async function* () {
        yield head;
        markPaused();
        await gate;
        yield tail;
      })(),
      { objectMode: false },
    );
  }
}

async function poll<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const folders: string[] = [];
function fixture(options: Parameters<typeof writePreparedFixture>[0] = {}): string {
  const folder = writePreparedFixture(options);
  folders.push(folder);
  return folder;
}
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

describe.each(DATABASE_KINDS)('loadWebData on %s', (kind) => {
  let handle: DatabaseHandle;
  let drop: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') {
      const fresh = await freshPostgresDatabase();
      drop = fresh.drop;
      handle = connectDatabase({ url: fresh.url });
    } else {
      handle = await startEmbeddedDatabase();
    }
    await migrateToLatest(handle.db);
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
    await drop?.();
  });
  beforeEach(async () => {
    await handle.pool.query('truncate data_load, ratings, movies, users, genres');
  });

  const load = (folder: string) => loadWebData(handle, new FolderLoadSource(folder));

  it('a first load writes exactly the prepared files, with popularity, genres and the manifest', async () => {
    const folder = fixture();
    const result = await load(folder);
    expect(result).toEqual({
      status: 'loaded',
      manifestSha256: manifestSha256(folder),
      edition: 'ml-100k',
      counts: { users: 6, movies: 12, ratings: 29 },
    });

    const data = await snapshot(handle);
    expect(data.movies).toEqual(expectedMovies(FIXTURE_RATINGS));
    // Spot checks that do not depend on expectedMovies being right.
    const movie = (id: number) => data.movies.find((m) => m.id === id);
    expect(movie(7)?.title).toBe('<script>alert("x")</script> & <b>Bold</b>');
    // The database keeps MovieLens' form; the site shows the article first (app-src/titles.ts).
    expect(movie(8)?.title).toBe('Good, the Bad and the "Ugly", The');
    expect(movie(1)?.genres).toEqual(['Animation', "Children's", 'Comedy']);
    expect(movie(12)).toMatchObject({ year: null, genres: [], rating_count: 1, positive_count: 0 });
    // Horror by positive ratings: Scream 4, Halloween 2, Alien 3 1 (ratings of 4 and 5 only).
    expect([3, 9, 4].map((id) => movie(id)?.positive_count)).toEqual([4, 2, 1]);
    // Toy Story: 5, 4, 5, 4 -> 4 positives; GoldenEye: 2, 1, 4 -> 1 of 3.
    expect(movie(1)).toMatchObject({ rating_count: 4, positive_count: 4 });
    expect(movie(2)).toMatchObject({ rating_count: 3, positive_count: 1 });

    expect(data.users).toEqual(
      FIXTURE_USERS.map(([id, age, gender, occupation, zip]) => ({ id, age, gender, occupation, zip })),
    );
    expect(data.users.find((u) => u.id === 6)?.zip).toBe('05201');
    expect(data.users.find((u) => u.id === 5)?.zip).toBe('T8H1N');

    expect(data.ratings).toEqual(byTimestamp(FIXTURE_RATINGS));

    expect(data.genres).toEqual(expectedGenres());
    expect(data.genres).toContainEqual({ name: 'Horror', movie_count: 3 });
    expect(data.genres).toContainEqual({ name: 'Thriller', movie_count: 4 });
    expect(data.genres.map((g) => g.name)).not.toContain('');

    expect(data.dataLoad).toEqual([
      {
        manifest_sha256: manifestSha256(folder),
        edition: 'ml-100k',
        source: 'test fixture r1',
        positive_threshold: THRESHOLD,
        users: 6,
        movies: 12,
        ratings: 29,
        loaded_at: expect.any(Date),
      },
    ]);
  });

  it(`ratings go through ${kind === 'postgres' ? 'one COPY' : 'batched inserts'}, in batches of files larger than a chunk`, async () => {
    // 12,345 lines: several read chunks (64 KiB each), so more than one batch of 5,000 or more.
    const ratings = manyRatings(12_345);
    const folder = fixture({ ratings });
    const query = jest.spyOn(pg.Client.prototype, 'query');
    let calls: unknown[][] = [];
    const result = await load(folder).finally(() => {
      calls = query.mock.calls.map((args) => [...args]);
      query.mockRestore();
    });
    expect(result.counts.ratings).toBe(12_345);
    expect(await storedRatings(handle)).toEqual(ratings);
    expect(handle.supportsCopy).toBe(kind === 'postgres');

    const text = (arg: unknown) => (typeof arg === 'string' ? arg : ((arg as { text?: string })?.text ?? ''));
    const copies = calls.filter(([arg]) => /^copy ratings\b/i.test(text(arg).trim()));
    const inserts = calls.filter(([arg]) => /^insert into ratings\b/i.test(text(arg).trim()));
    if (kind === 'postgres') {
      expect(copies).toHaveLength(1);
      expect(inserts).toHaveLength(0);
    } else {
      expect(copies).toHaveLength(0);
      const sizes = inserts.map(([, params]) => (params as unknown[][])[0].length);
      expect(sizes.length).toBeGreaterThanOrEqual(2);
      expect(Math.max(...sizes)).toBeLessThan(12_345);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(12_345);
    }

    // Popularity counts from all the batches.
    const { rows } = await handle.pool.query<{ id: number; rating_count: number; positive_count: number }>(
      'select id, rating_count, positive_count from movies order by id',
    );
    expect(rows).toEqual(
      expectedMovies(ratings).map(({ id, rating_count, positive_count }) => ({ id, rating_count, positive_count })),
    );
  });

  it('the same manifest again: unchanged, and no row is rewritten', async () => {
    const folder = fixture();
    const first = await load(folder);
    await handle.pool.query(`update movies set title = 'altered by hand' where id = 1`);
    await handle.pool.query('delete from ratings where user_id = 6');
    const before = await snapshot(handle);

    // The same manifest from another folder is the same data.
    const copy = fixture();
    const again = await loadWebData(handle, new FolderLoadSource(copy));
    expect(again).toEqual({ ...first, status: 'unchanged' });
    expect(again.counts.ratings).toBe(29);

    const after = await snapshot(handle);
    expect(after).toEqual(before);
    expect(after.movies.find((m) => m.id === 1)?.title).toBe('altered by hand');
    expect(after.ratings).toHaveLength(24);
  });

  it('another manifest replaces the data: old ratings gone, popularity and data_load from the new one', async () => {
    await load(fixture());
    const r2 = fixture({ revision: 'r2', ratings: R2_RATINGS });
    const result = await load(r2);
    expect(result).toEqual({
      status: 'loaded',
      manifestSha256: manifestSha256(r2),
      edition: 'ml-100k',
      counts: { users: 6, movies: 12, ratings: 5 },
    });
    const data = await snapshot(handle);
    expect(data.ratings).toEqual(R2_RATINGS);
    expect(data.movies).toEqual(expectedMovies(R2_RATINGS));
    expect(data.movies.find((m) => m.id === 1)).toMatchObject({ rating_count: 0, positive_count: 0 });
    expect(data.movies.find((m) => m.id === 3)).toMatchObject({ rating_count: 2, positive_count: 1 });
    expect(data.users).toHaveLength(6);
    expect(data.genres).toEqual(expectedGenres());
    expect(data.dataLoad).toEqual([
      expect.objectContaining({ manifest_sha256: manifestSha256(r2), source: 'test fixture r2', ratings: 5 }),
    ]);
  });

  describe('a bad file fails the load, names the file and leaves the loaded data as it was', () => {
    let r1: string;
    let before: Awaited<ReturnType<typeof snapshot>>;
    beforeEach(async () => {
      r1 = fixture();
      await load(r1);
      before = await snapshot(handle);
    });

    async function expectUntouched() {
      expect(await snapshot(handle)).toEqual(before);
      expect(before.dataLoad[0].source).toBe('test fixture r1');
      // The connection went back to the pool usable: the next load works.
      const r2 = fixture({ revision: 'r2', ratings: R2_RATINGS });
      expect((await load(r2)).status).toBe('loaded');
      expect(await storedRatings(handle)).toEqual(R2_RATINGS);
    }

    it('a rating that is not a number: the file and line', async () => {
      const bad = fixture({ revision: 'r2', extraRatingLines: ['1,2,seven,1000'] });
      // Header on line 1, the 29 ratings on 2-30.
      await expect(load(bad)).rejects.toThrow(
        `${path.resolve(bad)}/web/ratings.csv, line 31: rating "seven" is not between 0.5 and 5`,
      );
      await expectUntouched();
    });

    it('a bad line after thousands of good ones (some already written)', async () => {
      const bad = fixture({ revision: 'r2', ratings: manyRatings(12_000), extraRatingLines: ['1,2,3,-4'] });
      await expect(load(bad)).rejects.toThrow(
        `${path.resolve(bad)}/web/ratings.csv, line 12002: timestamp "-4" is not a whole number`,
      );
      await expectUntouched();
    });

    it('a value the database refuses (a user id beyond integer)', async () => {
      const bad = fixture({ revision: 'r2', extraRatingLines: ['3000000000,1,4,1000'] });
      const error = await load(bad).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(
        new RegExp(`^${escapeRegExp(path.resolve(bad))}/web/ratings\\.csv: .*out of range`),
      );
      await expectUntouched();
    });

    it('a manifest that claims more ratings than the file holds', async () => {
      const bad = fixture({ revision: 'r2', claimedRatingRows: 30 });
      await expect(load(bad)).rejects.toThrow(
        `${path.resolve(bad)}/web/ratings.csv: 29 rows, but manifest.json says 30: the file is incomplete or not the one prepared`,
      );
      await expectUntouched();
    });

    it('a ratings file that is missing', async () => {
      const bad = fixture({ revision: 'r2' });
      rmSync(path.join(bad, 'web', 'ratings.csv'));
      await expect(load(bad)).rejects.toThrow(`${path.resolve(bad)}/web/ratings.csv: ENOENT`);
      await expectUntouched();
    });

    it('a duplicate movie id', async () => {
      const bad = fixture({
        revision: 'r2',
        movies: [...FIXTURE_MOVIES, { id: 3, title: 'Scream, again', year: 1997, genres: ['Horror'] }],
      });
      await expect(load(bad)).rejects.toThrow(
        new RegExp(
          `^${escapeRegExp(path.resolve(bad))}/web/movies\\.csv: duplicate key value violates unique constraint`,
        ),
      );
      await expectUntouched();
    });

    it('a ratings header that is not ours', async () => {
      const bad = fixture({ revision: 'r2' });
      const file = path.join(bad, 'web', 'ratings.csv');
      writeFileSync(file, readFileSync(file, 'utf8').replace('user_id,movie_id', 'userId,movieId'));
      await expect(load(bad)).rejects.toThrow(
        `${path.resolve(bad)}/web/ratings.csv, line 1: the header is "userId,movieId,rating,timestamp"`,
      );
      await expectUntouched();
    });
  });

  describe('manifests that cannot be loaded name the folder', () => {
    it('no manifest: NoPreparedDataError with the npm run data hint', async () => {
      const empty = mkdtempSync(path.join(tmpdir(), 'movierecs-empty-'));
      folders.push(empty);
      const error = await load(empty).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(NoPreparedDataError);
      expect(error?.message).toBe(
        `${path.resolve(empty)}: no personalize/manifest.json, so no prepared data: prepare it with ` +
          '`npm run data -- --edition <edition> --source <zip> --out <folder>` and pass that folder',
      );
    });

    it.each([
      ['not JSON', '{"manifestVersion": 1,', /: manifest\.json is not JSON \(/],
      ['another version', JSON.stringify({ manifestVersion: 2, files: {} }), /is not a manifest of this kit's/],
      ['JSON null', 'null', /is not a manifest of this kit's/],
      [
        'no web files',
        JSON.stringify({ manifestVersion: 1, files: { items: { key: 'x', rows: 1 } } }),
        /not a manifest/,
      ],
    ])('%s', async (_, text, message) => {
      const folder = fixture();
      writeFileSync(path.join(folder, 'personalize', 'manifest.json'), text);
      const error = await load(folder).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).toMatch(message);
      expect(error?.message.startsWith(`${path.resolve(folder)}: manifest.json`)).toBe(true);
      expect(await handle.pool.query('select 1 from data_load')).toMatchObject({ rowCount: 0 });
    });

    it('a manifest without the positive threshold is refused before anything is deleted', async () => {
      await load(fixture());
      const before = await snapshot(handle);
      const folder = fixture({ revision: 'r2' });
      const file = path.join(folder, 'personalize', 'manifest.json');
      const manifest = JSON.parse(readFileSync(file, 'utf8'));
      delete manifest.settings.positiveRatingThreshold;
      writeFileSync(file, JSON.stringify(manifest));
      await expect(load(folder)).rejects.toThrow(`${path.resolve(folder)}: manifest.json is not a manifest`);
      expect(await snapshot(handle)).toEqual(before);
    });
  });

  it('an edition without users: the users are the distinct raters, with nothing else known', async () => {
    const ratings: Rating[] = [
      [9, 1, 4, 100],
      [2, 1, 5, 101],
      [9, 3, 2, 102],
      [5, 12, 4, 103],
      [2, 4, 3, 104],
    ];
    const folder = fixture({ withUsers: false, ratings });
    const result = await load(folder);
    expect(result).toMatchObject({ status: 'loaded', edition: 'ml-latest-small', counts: { users: 3, ratings: 5 } });
    const { rows } = await handle.pool.query('select id, age, gender, occupation, zip from users order by id');
    expect(rows).toEqual([2, 5, 9].map((id) => ({ id, age: null, gender: null, occupation: null, zip: null })));
    expect((await snapshot(handle)).dataLoad[0]).toMatchObject({ edition: 'ml-latest-small', users: 3 });
  });
});

const pgOnly = DATABASE_KINDS.includes('postgres') ? describe : describe.skip;

pgOnly('loadWebData with other sessions on PostgreSQL', () => {
  let url: string;
  let drop: () => Promise<void>;
  let handle: DatabaseHandle;
  let other: DatabaseHandle;
  let reader: pg.Client;

  beforeAll(async () => {
    ({ url, drop } = await freshPostgresDatabase());
    handle = connectDatabase({ url });
    other = connectDatabase({ url });
    await migrateToLatest(handle.db);
    reader = new pg.Client({ connectionString: url });
    await reader.connect();
    // A reader blocked by the load (a TRUNCATE, say) fails instead of hanging the test.
    await reader.query(`set statement_timeout = '5s'`);
  }, 60_000);
  afterAll(async () => {
    await reader?.end();
    await handle?.close();
    await other?.close();
    await drop?.();
  });
  beforeEach(async () => {
    await handle.pool.query('truncate data_load, ratings, movies, users, genres');
  });

  const count = async (table: string) =>
    Number((await reader.query<{ n: string }>(`select count(*) as n from ${table}`)).rows[0].n);

  it('a reader sees the old data until the replacement commits', async () => {
    await loadWebData(handle, new FolderLoadSource(fixture()));
    const r2 = fixture({ revision: 'r2', ratings: manyRatings(6000) });
    // 5,500 lines, then a pause: a batch of 5,000 and more has gone into the COPY by then.
    const source = new PausingSource(r2, 5500);
    const loading = loadWebData(handle, source);
    try {
      await source.paused;
      // The r2 rows are in the table, uncommitted, while the load waits for the rest of the file.
      await poll(
        'the COPY to take the first rows',
        async () =>
          Number(
            (
              await reader.query<{ n: string }>(
                'select coalesce(sum(tuples_processed), 0) as n from pg_stat_progress_copy',
              )
            ).rows[0].n,
          ),
        (n) => n >= 5000,
      );
      expect(await count('ratings')).toBe(29);
      expect(await count('movies')).toBe(12);
      const { rows } = await reader.query('select source, ratings from data_load');
      expect(rows).toEqual([{ source: 'test fixture r1', ratings: 29 }]);
      const { rows: toyStory } = await reader.query('select positive_count from movies where id = 1');
      expect(toyStory).toEqual([{ positive_count: 4 }]);
    } finally {
      source.resume();
    }
    expect((await loading).status).toBe('loaded');
    expect(await count('ratings')).toBe(6000);
    expect((await reader.query('select source from data_load')).rows).toEqual([{ source: 'test fixture r2' }]);
  });

  it('two loads at once (two pools): one loads, the other waits and finds it loaded', async () => {
    // Enough ratings for the loads to overlap, and both pools connected already.
    const folder = fixture({ ratings: manyRatings(20_000) });
    await Promise.all([handle.pool.query('select 1'), other.pool.query('select 1')]);
    const results = await Promise.all([
      loadWebData(handle, new FolderLoadSource(folder)),
      loadWebData(other, new FolderLoadSource(folder)),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['loaded', 'unchanged']);
    expect(results[0].counts).toEqual({ users: 6, movies: 12, ratings: 20_000 });
    expect(results[1].counts).toEqual(results[0].counts);
    expect(await count('ratings')).toBe(20_000);
    expect(await count('users')).toBe(6);
    expect(await count('movies')).toBe(12);
  });

  it('a second load that starts while the first is mid-file waits on the lock, then finds it loaded', async () => {
    const folder = fixture({ ratings: manyRatings(6000) });
    const source = new PausingSource(folder, 5500);
    const first = loadWebData(handle, source);
    let second: ReturnType<typeof loadWebData> | undefined;
    try {
      await source.paused;
      second = loadWebData(other, new FolderLoadSource(folder));
      let settled = false;
      void second.then(
        () => (settled = true),
        () => (settled = true),
      );
      const [high, low] = [Number(LOAD_LOCK_KEY >> 32n), Number(LOAD_LOCK_KEY & 0xffffffffn)];
      await poll(
        'the second load to wait for the advisory lock',
        async () =>
          (
            await reader.query(
              `select count(*)::int as n from pg_locks
               where locktype = 'advisory' and not granted and classid::bigint = $1 and objid::bigint = $2`,
              [high, low],
            )
          ).rows[0].n as number,
        (n) => n === 1,
      );
      expect(settled).toBe(false);
    } finally {
      source.resume();
    }
    const [a, b] = await Promise.all([first, second]);
    expect(a?.status).toBe('loaded');
    expect(b?.status).toBe('unchanged');
    expect(b?.counts).toEqual({ users: 6, movies: 12, ratings: 6000 });
    expect(await count('ratings')).toBe(6000);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
