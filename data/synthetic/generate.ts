/**
 * A deterministic synthetic MovieLens, written in the exact layouts GroupLens publishes, so the
 * kit can be built and tested without redistributing MovieLens (its licence forbids that).
 *
 * It plants structure a recommender can find: each user has one to three favourite genres and
 * rates movies of those genres more often and higher; movie popularity follows a Zipf-like law.
 * A personalised model therefore beats "most popular" on it, as on the real data.
 *
 *   npm run data:synthetic -- --edition ml-100k --users 943 --items 1682 --ratings 100000 --seed 1 --out DIR [--zip]
 */
import { closeSync, createWriteStream, mkdirSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import * as yazl from 'yazl';
import {
  ML100K_GENRES,
  ML100K_OCCUPATIONS,
  ML_LATEST_GENRES,
  NO_GENRES_LISTED,
} from '../../lib/data/movielens/editions';
import { Random, WeightedSampler } from './random';

export type SyntheticEdition = 'ml-100k' | 'ml-latest';

export interface SyntheticOptions {
  readonly edition: SyntheticEdition;
  readonly users: number;
  readonly items: number;
  readonly ratings: number;
  readonly seed: number;
  /** Write only ratings (the benchmark's input). */
  readonly ratingsOnly?: boolean;
}

export interface SyntheticMovie {
  readonly id: number;
  readonly title: string;
  readonly year: number | undefined;
  readonly genres: readonly number[];
  readonly popularity: number;
}

export interface SyntheticUser {
  readonly id: number;
  readonly favourites: readonly number[];
  readonly age: number;
  readonly gender: 'M' | 'F';
  readonly occupation: string;
  readonly zip: string;
}

const ADJECTIVES = [
  'Silent',
  'Crimson',
  'Last',
  'Hidden',
  'Broken',
  'Golden',
  'Wild',
  'Dark',
  'Lost',
  'Electric',
  'Frozen',
  'Little',
  'Midnight',
  'Secret',
  'Burning',
  'Distant',
  'Hollow',
  'Iron',
  'Paper',
  'Velvet',
];
const NOUNS = [
  'River',
  'Empire',
  'Garden',
  'Stranger',
  'Harbor',
  'Circus',
  'Horizon',
  'Witness',
  'Summer',
  'Machine',
  'Kingdom',
  'Letter',
  'Island',
  'Promise',
  'Voyage',
  'Mirror',
  'Frontier',
  'Orchestra',
  'Station',
  'Heart',
];
/** Titles that need care: Latin-1 accents (ml-100k), commas and quotes (ml-latest). */
const ACCENTED = ['Misérables, Les', 'Cité des enfants perdus, La', 'Belle Époque', 'Amélie', 'Crème brûlée'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface EditionShape {
  readonly genres: readonly string[];
  readonly firstYear: number;
  readonly lastYear: number;
  readonly firstTimestamp: number;
  readonly lastTimestamp: number;
}

const SHAPES: Record<SyntheticEdition, EditionShape> = {
  // u.data spans 1997-09-20 to 1998-04-22.
  'ml-100k': {
    genres: ML100K_GENRES.slice(1),
    firstYear: 1926,
    lastYear: 1998,
    firstTimestamp: 874724710,
    lastTimestamp: 893286638,
  },
  'ml-latest': {
    genres: ML_LATEST_GENRES,
    firstYear: 1920,
    lastYear: 2018,
    firstTimestamp: 828124615,
    lastTimestamp: 1537799250,
  },
};

/** Generates the catalog: movies with genres, years, titles and a popularity weight. */
export function generateMovies(options: SyntheticOptions, random: Random): SyntheticMovie[] {
  const shape = SHAPES[options.edition];
  // Genre frequencies are skewed like MovieLens': Drama and Comedy common, Film-Noir rare.
  const genreWeights = shape.genres.map((_, i) => 1 / (1 + i * 0.35) + (i % 3 === 0 ? 0.4 : 0));
  const genreSampler = new WeightedSampler(random.shuffle(genreWeights.slice()));
  const ranks = random.shuffle(Array.from({ length: options.items }, (_, i) => i));
  const movies: SyntheticMovie[] = [];
  for (let i = 0; i < options.items; i++) {
    const count = 1 + (random.next() < 0.45 ? 1 : 0) + (random.next() < 0.15 ? 1 : 0);
    const genres = new Set<number>();
    while (genres.size < count) genres.add(genreSampler.sample(random));
    const recent = Math.pow(random.next(), 0.35);
    const year =
      random.next() < 0.01 ? undefined : Math.round(shape.firstYear + recent * (shape.lastYear - shape.firstYear));
    movies.push({
      id: i + 1,
      title: title(options.edition, random, i),
      year,
      genres: [...genres].sort((a, b) => a - b),
      popularity: 1 / Math.pow(ranks[i] + 1, 0.85),
    });
  }
  return movies;
}

function title(edition: SyntheticEdition, random: Random, index: number): string {
  const roll = random.next();
  if (edition === 'ml-100k' && roll < 0.01) return `${random.pick(ACCENTED)} ${index}`;
  if (edition === 'ml-latest' && roll < 0.02)
    return `${random.pick(NOUNS)}, ${random.pick(NOUNS)} and ${random.pick(NOUNS)} ${index}`;
  if (edition === 'ml-latest' && roll < 0.03) return `The "${random.pick(ADJECTIVES)}" ${random.pick(NOUNS)} ${index}`;
  if (roll < 0.08) return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)} ${index}, The`;
  return `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)} ${index}`;
}

export function generateUsers(options: SyntheticOptions, random: Random): SyntheticUser[] {
  const genres = SHAPES[options.edition].genres.length;
  const users: SyntheticUser[] = [];
  for (let i = 0; i < options.users; i++) {
    const count = 1 + (random.next() < 0.5 ? 1 : 0) + (random.next() < 0.2 ? 1 : 0);
    const favourites = new Set<number>();
    while (favourites.size < count) favourites.add(random.int(0, genres - 1));
    users.push({
      id: i + 1,
      favourites: [...favourites],
      age: Math.min(73, Math.max(7, Math.round(33 + random.normal() * 12))),
      gender: random.next() < 0.71 ? 'M' : 'F',
      occupation: random.pick(ML100K_OCCUPATIONS),
      zip: String(random.int(1000, 99999)).padStart(5, '0'),
    });
  }
  return users;
}

/** How many ratings each user gives: skewed, at least 20 where the total allows, summing to `total`. */
function ratingsPerUser(options: SyntheticOptions, random: Random): number[] {
  const floor = Math.min(20, Math.floor(options.ratings / options.users));
  const weights = Array.from({ length: options.users }, () => Math.exp(random.normal() * 0.9));
  const sum = weights.reduce((a, b) => a + b, 0);
  const spare = options.ratings - floor * options.users;
  const counts = weights.map((w) => Math.min(options.items, floor + Math.floor((spare * w) / sum)));
  let missing = options.ratings - counts.reduce((a, b) => a + b, 0);
  for (let i = 0; missing > 0; i = (i + 1) % counts.length) {
    if (counts[i] < options.items) {
      counts[i]++;
      missing--;
    }
  }
  return counts;
}

/**
 * Streams ratings user by user: `onUser(userId, items, ratings, timestamps)`, items sorted by id.
 */
export function generateRatings(
  options: SyntheticOptions,
  movies: readonly SyntheticMovie[],
  users: readonly SyntheticUser[],
  random: Random,
  onUser: (user: number, items: number[], ratings: number[], timestamps: number[]) => void,
): void {
  const shape = SHAPES[options.edition];
  if (options.ratings > options.users * options.items) {
    throw new Error(`--ratings ${options.ratings} is more than users x items (${options.users * options.items})`);
  }
  const everyone = new WeightedSampler(movies.map((m) => m.popularity));
  const byGenre = shape.genres.map((_, g) => movies.filter((m) => m.genres.includes(g)));
  const genreSamplers = byGenre.map((list) => new WeightedSampler(list.map((m) => m.popularity)));
  const counts = ratingsPerUser(options, random);
  const span = shape.lastTimestamp - shape.firstTimestamp;

  users.forEach((user, u) => {
    const chosen = new Set<number>();
    const wanted = counts[u];
    let attempts = 0;
    while (chosen.size < wanted) {
      let movieIndex: number;
      const g = user.favourites[Math.floor(random.next() * user.favourites.length)];
      if (random.next() < 0.7 && byGenre[g].length > 0) movieIndex = byGenre[g][genreSamplers[g].sample(random)].id - 1;
      else movieIndex = everyone.sample(random);
      if (++attempts > wanted * 30) {
        // Dense corner (a user who rates most movies): fill with the first unrated ones.
        for (let m = 0; chosen.size < wanted && m < movies.length; m++) chosen.add(m);
        break;
      }
      chosen.add(movieIndex);
    }
    const items = [...chosen].sort((a, b) => a - b);
    const start = shape.firstTimestamp + Math.floor(random.next() * span * 0.8);
    const userSpan = Math.max(3600, Math.floor(random.next() * (shape.lastTimestamp - start)));
    const ratings: number[] = [];
    const timestamps: number[] = [];
    for (const m of items) {
      const movie = movies[m];
      const liked = movie.genres.some((g) => user.favourites.includes(g));
      const score = 2.9 + (liked ? 1.2 : 0) + random.normal() * 0.85;
      ratings.push(
        options.edition === 'ml-100k'
          ? Math.min(5, Math.max(1, Math.round(score)))
          : Math.min(5, Math.max(0.5, Math.round(score * 2) / 2)),
      );
      timestamps.push(start + Math.floor(random.next() * userSpan));
    }
    onUser(
      user.id,
      items.map((m) => m + 1),
      ratings,
      timestamps,
    );
  });
}

/** Buffered writes of text to a file (synchronous: the generator is CPU-bound anyway). */
class TextFile {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;

  constructor(
    file: string,
    private readonly encoding: BufferEncoding = 'utf8',
  ) {
    this.fd = openSync(file, 'w');
  }

  write(text: string): void {
    this.parts.push(text);
    this.size += text.length;
    if (this.size > 1 << 20) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.parts.length) writeSync(this.fd, Buffer.from(this.parts.join(''), this.encoding));
    this.parts = [];
    this.size = 0;
  }
}

function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function releaseDate(year: number, random: Random): string {
  return `${String(random.int(1, 28)).padStart(2, '0')}-${random.pick(MONTHS)}-${year}`;
}

/**
 * Writes the edition's files into `folder`; returns their names. `onProgress` hears the ratings
 * generated so far and the total (it draws nothing from the random stream: the files are the same).
 */
export function writeSynthetic(
  options: SyntheticOptions,
  folder: string,
  onProgress?: (ratings: number, total: number) => void,
): string[] {
  let generated = 0;
  const progressed = (count: number) => {
    generated += count;
    onProgress?.(generated, options.ratings);
  };
  mkdirSync(folder, { recursive: true });
  const random = new Random(options.seed);
  const movies = generateMovies(options, random);
  const users = generateUsers(options, random);
  const shape = SHAPES[options.edition];
  const written: string[] = [];

  if (options.edition === 'ml-100k') {
    if (!options.ratingsOnly) {
      const items = new TextFile(path.join(folder, 'u.item'), 'latin1');
      for (const movie of movies) {
        const titled = movie.year === undefined ? movie.title : `${movie.title} (${movie.year})`;
        const released = movie.year === undefined || random.next() < 0.005 ? '' : releaseDate(movie.year, random);
        const url = `http://us.imdb.com/M/title-exact?${encodeURIComponent(titled)}`;
        const flags = ['0', ...shape.genres.map((_, g) => (movie.genres.includes(g) ? '1' : '0'))];
        if (movie.genres.length === 0) flags[0] = '1';
        items.write(`${movie.id}|${titled}|${released}||${url}|${flags.join('|')}\n`);
      }
      items.close();
      const userFile = new TextFile(path.join(folder, 'u.user'), 'latin1');
      for (const user of users)
        userFile.write(`${user.id}|${user.age}|${user.gender}|${user.occupation}|${user.zip}\n`);
      userFile.close();
      written.push('u.item', 'u.user');
    }
    // u.data is in no particular order: shuffle the rows (the 100k edition is small).
    const rows: string[] = [];
    generateRatings(options, movies, users, random, (user, items, ratings, timestamps) => {
      for (let i = 0; i < items.length; i++) rows.push(`${user}\t${items[i]}\t${ratings[i]}\t${timestamps[i]}\n`);
      progressed(items.length);
    });
    const data = new TextFile(path.join(folder, 'u.data'), 'latin1');
    for (const row of random.shuffle(rows)) data.write(row);
    data.close();
    written.push('u.data');
  } else {
    if (!options.ratingsOnly) {
      const moviesFile = new TextFile(path.join(folder, 'movies.csv'));
      moviesFile.write('movieId,title,genres\n');
      for (const movie of movies) {
        const titled = movie.year === undefined ? movie.title : `${movie.title} (${movie.year})`;
        const genres = movie.genres.length ? movie.genres.map((g) => shape.genres[g]).join('|') : NO_GENRES_LISTED;
        moviesFile.write(`${movie.id},${csvField(titled)},${genres}\n`);
      }
      moviesFile.close();
      written.push('movies.csv');
    }
    // ratings.csv is sorted by user, then movie, as GroupLens publishes it.
    const ratingsFile = new TextFile(path.join(folder, 'ratings.csv'));
    ratingsFile.write('userId,movieId,rating,timestamp\n');
    generateRatings(options, movies, users, random, (user, items, ratings, timestamps) => {
      let chunk = '';
      for (let i = 0; i < items.length; i++) {
        const rating = ratings[i];
        chunk += `${user},${items[i]},${Number.isInteger(rating) ? `${rating}.0` : rating},${timestamps[i]}\n`;
      }
      ratingsFile.write(chunk);
      progressed(items.length);
    });
    ratingsFile.close();
    written.push('ratings.csv');
  }
  return written;
}

/** Packs `files` of `folder` into `zipPath` under a top folder, as GroupLens zips are laid out. */
export async function zipFolder(
  folder: string,
  files: readonly string[],
  topFolder: string,
  zipPath: string,
): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const file of files) zip.addFile(path.join(folder, file), `${topFolder}/${file}`);
  zip.end();
  const out = createWriteStream(zipPath);
  zip.outputStream.pipe(out);
  await once(out, 'finish');
}
