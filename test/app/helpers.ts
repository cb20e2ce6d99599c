/**
 * Shared test fixtures of the web app: a small hand-written prepared folder (the files
 * `npm run data` writes), and databases: the embedded PGlite, and a real PostgreSQL when
 * TEST_DATABASE_URL names one (CI starts Debian's; see .ci/run). Each test file gets its own
 * fresh PostgreSQL database, so parallel workers never meet.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { startWebApp, StartSettings, Started } from '../../app-src/start';

export interface FixtureMovie {
  id: number;
  title: string;
  year: number | '';
  genres: string[];
}

/**
 * Twelve movies, six users, hand-placed ratings. What the tests rely on:
 * - user 1 rated 5, 5, 4, 2 (no 3 and no 1 star: the review summary must still label rows right);
 * - Horror holds movies 3, 4 and 9, most positive ratings first: 3 (4 users), 9 (2), 4 (1);
 * - movie 7's title is markup, movie 8's has a comma and quotes, movie 12 has no genres and no year.
 */
export const FIXTURE_MOVIES: FixtureMovie[] = [
  { id: 1, title: 'Toy Story', year: 1995, genres: ['Animation', "Children's", 'Comedy'] },
  { id: 2, title: 'GoldenEye', year: 1995, genres: ['Action', 'Adventure', 'Thriller'] },
  { id: 3, title: 'Scream', year: 1996, genres: ['Horror', 'Thriller'] },
  { id: 4, title: 'Alien 3', year: 1992, genres: ['Horror', 'Sci-Fi'] },
  { id: 5, title: 'Casablanca', year: 1942, genres: ['Drama', 'Romance', 'War'] },
  { id: 6, title: 'Fargo', year: 1996, genres: ['Crime', 'Drama', 'Thriller'] },
  { id: 7, title: '<script>alert("x")</script> & <b>Bold</b>', year: 2001, genres: ['Comedy'] },
  { id: 8, title: 'Good, the Bad and the "Ugly", The', year: 1966, genres: ['Western'] },
  { id: 9, title: 'Halloween', year: 1978, genres: ['Horror'] },
  { id: 10, title: 'Heat', year: 1995, genres: ['Action', 'Crime', 'Thriller'] },
  { id: 11, title: 'Babe', year: 1995, genres: ["Children's", 'Comedy', 'Drama'] },
  { id: 12, title: 'Untitled Project', year: '', genres: [] },
];

export const FIXTURE_USERS = [
  [1, 24, 'M', 'technician', '85711'],
  [2, 53, 'F', 'other', '94043'],
  [3, 23, 'M', 'writer', '32067'],
  [4, 24, 'M', 'technician', '43537'],
  [5, 33, 'F', 'other', 'T8H1N'],
  [6, 42, 'M', 'executive', '05201'],
] as const;

/** [user, movie, rating, timestamp] */
export const FIXTURE_RATINGS: [number, number, number, number][] = [
  [1, 1, 5, 1000],
  [1, 5, 5, 1001],
  [1, 6, 4, 1002],
  [1, 2, 2, 1003],
  [2, 3, 5, 1100],
  [2, 9, 4, 1101],
  [2, 4, 4, 1102],
  [2, 1, 4, 1103],
  [2, 7, 3, 1104],
  [3, 3, 4, 1200],
  [3, 9, 5, 1201],
  [3, 6, 5, 1202],
  [3, 10, 4, 1203],
  [3, 8, 2, 1204],
  [4, 3, 5, 1300],
  [4, 1, 5, 1301],
  [4, 11, 4, 1302],
  [4, 5, 4, 1303],
  [4, 2, 1, 1304],
  [5, 3, 4, 1400],
  [5, 6, 4, 1401],
  [5, 10, 5, 1402],
  [5, 2, 4, 1403],
  [5, 12, 3, 1404],
  [6, 1, 4, 1500],
  [6, 11, 5, 1501],
  [6, 5, 4, 1502],
  [6, 7, 4, 1503],
  [6, 8, 5, 1504],
];

function csvText(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export interface FixtureOptions {
  movies?: FixtureMovie[];
  ratings?: [number, number, number, number][];
  /** Lines appended to ratings.csv as they are (bad lines). */
  extraRatingLines?: string[];
  /** Written into the manifest (a new manifest means a new data revision). */
  revision?: string;
  /** Rows the manifest claims for ratings (default: the lines written). */
  claimedRatingRows?: number;
  withUsers?: boolean;
}

/** Writes a prepared folder like `npm run data -- --out <folder>`; returns the folder. */
export function writePreparedFixture(
  options: FixtureOptions = {},
  folder = mkdtempSync(path.join(tmpdir(), 'movierecs-web-')),
): string {
  const movies = options.movies ?? FIXTURE_MOVIES;
  const ratings = options.ratings ?? FIXTURE_RATINGS;
  const withUsers = options.withUsers ?? true;
  mkdirSync(path.join(folder, 'web'), { recursive: true });
  mkdirSync(path.join(folder, 'personalize'), { recursive: true });
  const files: Record<string, { key: string; rows: number; bytes: number; sha256: string }> = {};
  const write = (name: string, key: string, lines: string[], rows: number) => {
    const text = lines.join('\n') + '\n';
    writeFileSync(path.join(folder, ...key.split('/')), text);
    files[name] = {
      key,
      rows,
      bytes: Buffer.byteLength(text),
      sha256: createHash('sha256').update(text).digest('hex'),
    };
  };
  write(
    'webMovies',
    'web/movies.csv',
    [
      'id,title,year,genres',
      ...movies.map((m) => [m.id, csvText(m.title), m.year, csvText(m.genres.join('|'))].join(',')),
    ],
    movies.length,
  );
  if (withUsers) {
    write(
      'webUsers',
      'web/users.csv',
      ['id,age,gender,occupation,zip', ...FIXTURE_USERS.map((u) => u.join(','))],
      FIXTURE_USERS.length,
    );
  }
  const ratingLines = [...ratings.map((r) => r.join(',')), ...(options.extraRatingLines ?? [])];
  write(
    'webRatings',
    'web/ratings.csv',
    ['user_id,movie_id,rating,timestamp', ...ratingLines],
    options.claimedRatingRows ?? ratingLines.length,
  );
  const manifest = {
    manifestVersion: 1,
    transformVersion: 2,
    edition: withUsers ? 'ml-100k' : 'ml-latest-small',
    source: `test fixture ${options.revision ?? 'r1'}`,
    settings: {
      positiveRatingThreshold: 3.6,
      timestampShift: { kind: 'seconds', seconds: 0 },
      shiftSeconds: 0,
      skipBadLines: false,
    },
    files,
    counts: {},
    timestamps: {},
    badLines: { count: 0, examples: [] },
    warnings: { count: 0, examples: [] },
  };
  writeFileSync(path.join(folder, 'personalize', 'manifest.json'), JSON.stringify(manifest, null, 2));
  return folder;
}

/** The databases a test file runs against: always PGlite; PostgreSQL when TEST_DATABASE_URL is set. */
export const DATABASE_KINDS: ('pglite' | 'postgres')[] = process.env.TEST_DATABASE_URL
  ? ['pglite', 'postgres']
  : ['pglite'];

if (!process.env.TEST_DATABASE_URL && process.env.REQUIRE_POSTGRES) {
  throw new Error(
    'REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not: the PostgreSQL variants of the web tests would not run',
  );
}

/** A new, empty database on the TEST_DATABASE_URL server; drop() removes it. */
export async function freshPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('TEST_DATABASE_URL is not set');
  const name = `movierecs_t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * The app on the hand-written fixture (or the movies and ratings given), on PGlite or on a fresh
 * PostgreSQL database; close() also drops that database.
 */
export async function startFixtureApp(
  kind: 'pglite' | 'postgres',
  settings: Omit<StartSettings, 'database' | 'data'>,
  fixture: FixtureOptions = {},
): Promise<{ web: Started; close: () => Promise<void> }> {
  let database: StartSettings['database'] = { embedded: {} };
  let drop: (() => Promise<void>) | undefined;
  if (kind === 'postgres') {
    const fresh = await freshPostgresDatabase();
    drop = fresh.drop;
    database = { url: fresh.url };
  }
  try {
    const web = await startWebApp({ ...settings, database, data: { folder: writePreparedFixture(fixture) } });
    return {
      web,
      close: async () => {
        await web.close();
        await drop?.();
      },
    };
  } catch (error) {
    await drop?.();
    throw error;
  }
}
