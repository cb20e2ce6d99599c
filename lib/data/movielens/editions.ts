import { MovieLensEdition } from '../../config';

/** The files of an edition and how they are laid out, exactly as GroupLens publishes them. */
export interface EditionLayout {
  readonly edition: MovieLensEdition;
  /**
   * `100k`: `u.data` (tab-separated, no header), `u.item` and `u.user` (pipe-separated,
   * ISO-8859-1). `latest`: `ratings.csv` and `movies.csv` (RFC 4180, UTF-8, with headers), no users.
   */
  readonly format: '100k' | 'latest';
  readonly ratingsFile: string;
  readonly moviesFile: string;
  readonly usersFile?: string;
}

export const EDITION_LAYOUTS: Readonly<Record<MovieLensEdition, EditionLayout>> = {
  'ml-100k': { edition: 'ml-100k', format: '100k', ratingsFile: 'u.data', moviesFile: 'u.item', usersFile: 'u.user' },
  'ml-latest-small': {
    edition: 'ml-latest-small',
    format: 'latest',
    ratingsFile: 'ratings.csv',
    moviesFile: 'movies.csv',
  },
  'ml-25m': { edition: 'ml-25m', format: 'latest', ratingsFile: 'ratings.csv', moviesFile: 'movies.csv' },
};

/** The 19 genre flags of `u.item`, in file order. */
export const ML100K_GENRES = [
  'unknown',
  'Action',
  'Adventure',
  'Animation',
  "Children's",
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

/** u.occupation: the occupations u.user names (every user has one of these). */
export const ML100K_OCCUPATIONS: readonly string[] = [
  'administrator',
  'artist',
  'doctor',
  'educator',
  'engineer',
  'entertainment',
  'executive',
  'healthcare',
  'homemaker',
  'lawyer',
  'librarian',
  'marketing',
  'none',
  'other',
  'programmer',
  'retired',
  'salesman',
  'scientist',
  'student',
  'technician',
  'writer',
];

/** The genres of the ml-latest editions (`movies.csv`), besides "(no genres listed)". */
export const ML_LATEST_GENRES = [
  'Action',
  'Adventure',
  'Animation',
  'Children',
  'Comedy',
  'Crime',
  'Documentary',
  'Drama',
  'Fantasy',
  'Film-Noir',
  'Horror',
  'IMAX',
  'Musical',
  'Mystery',
  'Romance',
  'Sci-Fi',
  'Thriller',
  'War',
  'Western',
] as const;

export const NO_GENRES_LISTED = '(no genres listed)';
export const RATINGS_CSV_HEADER = 'userId,movieId,rating,timestamp';
export const MOVIES_CSV_HEADER = 'movieId,title,genres';

/** The size and SHA-256 of a published zip. */
export interface PublishedZip {
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * The published zips of the fixed editions (MOVIELENS.md; GroupLens publishes the checksums next
 * to the files). A download that differs is refused whatever the base URL: a mirror must serve
 * the same bytes. ml-latest-small is missing on purpose: it is a development edition that changes
 * between releases, so only its layout is checked.
 */
export const PUBLISHED_ZIPS: Readonly<Partial<Record<MovieLensEdition, PublishedZip>>> = {
  'ml-100k': { bytes: 4_924_029, sha256: '50d2a982c66986937beb9ffb3aa76efe955bf3d5c6b761f4e3a7cd717c6a3229' },
  'ml-25m': { bytes: 261_978_986, sha256: '8b21cfb7eb1706b4ec0aac894368d90acf26ebdfb6aced3ebd4ad5bd1eb9c6aa' },
};

/**
 * The uncompressed size of each file the preparation reads, as GroupLens publishes it (ml-100k's
 * and ml-25m's fixed releases; ml-latest-small's September 2018 release). A file is read only up
 * to SIZE_CAP_FACTOR times its published size: a crafted zip whose 660 KB hold a 600 MB
 * movies.csv is refused at its cap instead of filling memory.
 */
export const PUBLISHED_FILE_BYTES: Readonly<Record<MovieLensEdition, Readonly<Record<string, number>>>> = {
  'ml-100k': { 'u.data': 1_979_173, 'u.item': 236_344, 'u.user': 22_628 },
  // A development edition: later releases are bigger, and the cap leaves them room.
  'ml-latest-small': { 'ratings.csv': 2_483_723, 'movies.csv': 494_431 },
  'ml-25m': { 'ratings.csv': 678_260_987, 'movies.csv': 3_038_099 },
};

export const SIZE_CAP_FACTOR = 4;

/** The most bytes read of an edition's file: SIZE_CAP_FACTOR × its published size. */
export function fileSizeCap(edition: MovieLensEdition, fileName: string): number | undefined {
  const published = PUBLISHED_FILE_BYTES[edition][fileName];
  return published === undefined ? undefined : published * SIZE_CAP_FACTOR;
}

/** ml-latest-small's zip (September 2018 release): a development edition, so no checksum. */
export const ML_LATEST_SMALL_ZIP_BYTES = 978_202;

/** The most bytes downloaded for an edition's zip: its published size, or 4 × it when it changes. */
export function maxZipBytes(edition: MovieLensEdition): number {
  return PUBLISHED_ZIPS[edition]?.bytes ?? SIZE_CAP_FACTOR * ML_LATEST_SMALL_ZIP_BYTES;
}

/** The files an edition's zip must hold, under its one top folder. */
export function layoutFiles(layout: EditionLayout): string[] {
  return [layout.ratingsFile, layout.moviesFile, ...(layout.usersFile ? [layout.usersFile] : [])];
}
