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
