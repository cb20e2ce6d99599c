import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { TimestampShift } from '../../lib/config';
import { BelowPersonalizeMinimumError, DataFileError } from '../../lib/data/movielens/errors';
import { prepareMovieLens, PrepareOptions, preparedKeys, settingsId } from '../../lib/data/movielens/prepare';
import { SCHEMAS, SCHEMA_FIELDS } from '../../lib/data/movielens/schemas';
import { FolderSink } from '../../lib/data/movielens/sink';
import { openSource } from '../../lib/data/movielens/source';
import { writeSynthetic, zipFolder } from '../../data/synthetic/generate';
import { FIXTURES, readTree, tempDir, TINY_MINIMUMS } from './helpers';

const SECONDS: TimestampShift = { kind: 'seconds', seconds: 1000 };

async function prepare(sourcePath: string, over: Partial<PrepareOptions> & Pick<PrepareOptions, 'edition'>) {
  const out = tempDir();
  const source = await openSource(sourcePath);
  try {
    const manifest = await prepareMovieLens({
      source,
      sourceDescription: sourcePath,
      sink: new FolderSink(out),
      positiveRatingThreshold: 3.6,
      timestampShift: SECONDS,
      minimums: TINY_MINIMUMS,
      ...over,
    });
    return { manifest, out, files: readTree(out) };
  } finally {
    await source.close();
  }
}

describe('ml-100k fixture, every output', () => {
  test('Personalize CSVs and web load files, exactly', async () => {
    const { files } = await prepare(path.join(FIXTURES, 'ml-100k-quirks'), { edition: 'ml-100k' });
    expect(files['personalize/interactions.csv']).toBe(
      'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n1,1,874966758,rating,5\n2,1,878543960,rating,4\n2,3,876894119,rating,4\n' +
        '1,6,875072561,rating,4\n3,8,875073484,rating,5\n',
    );
    expect(files['personalize/items.csv']).toBe(
      "ITEM_ID,GENRES,YEAR\n1,Animation|Children's|Comedy,1995\n2,Drama|Musical,1995\n3,Drama|Romance,1997\n4,,\n6,Comedy|Crime,1998\n8,Documentary,1990\n" +
        "9,Drama,1971\n10,Comedy,\n11,Documentary,1995\n12,Animation|Children's,1995\n13,Drama,1991\n14,Drama|Romance,1997\n15,Comedy|Drama|Romance,1997\n",
    );
    expect(files['personalize/users.csv']).toBe(
      'USER_ID,AGE,GENDER,OCCUPATION\n1,24,M,technician\n2,53,F,other\n3,23,M,writer\n4,33,F,librarian\n',
    );
    expect(files['web/movies.csv']).toBe(
      'id,title,year,genres\n' +
        "1,Toy Story,1995,Animation|Children's|Comedy\n" +
        '2,"Misérables, Les",1995,Drama|Musical\n' +
        "3,'Til There Was You,1997,Drama|Romance\n" +
        '4,unknown,,\n' +
        '6,"Big ""Lebowski""",1998,Comedy|Crime\n' +
        '8,Nowhere Film,1990,Documentary\n' +
        '9,Quiet Morning,1971,Drama\n' +
        '10,Odd Date Film,,Comedy\n' +
        '11,Quiet Hollywood Days,1995,Documentary\n' +
        "12,Dino Valley III: The Big Trek (V),1995,Animation|Children's\n" +
        '13,"Vie rêvée, La (Dreamed Life, The)",1991,Drama\n' +
        '14,Chasing Sam,1997,Drama|Romance\n' +
        '15,Chasing Sam,1997,Comedy|Drama|Romance\n',
    );
    // The zip is text, byte for byte: a Canadian postal code, a leading zero.
    expect(files['web/users.csv']).toBe(
      'id,age,gender,occupation,zip\n1,24,M,technician,85711\n2,53,F,other,94043\n3,23,M,writer,T8H1N\n4,33,F,librarian,05201\n',
    );
    expect(files['web/ratings.csv']).toBe(
      'user_id,movie_id,rating,timestamp\n1,1,5,874966758\n1,2,3,876894171\n2,1,4,878543960\n2,3,4,876894119\n3,6,2,889752712\n1,6,4,875072561\n3,8,5,875073484\n',
    );
  });

  test('the manifest counts, checksums and settings', async () => {
    const { manifest, out } = await prepare(path.join(FIXTURES, 'ml-100k-quirks'), { edition: 'ml-100k' });
    expect(manifest.counts).toEqual({
      ratingsRead: 7,
      interactions: 5,
      usersKept: 3,
      itemsKept: 4,
      usersWithAtLeastTwoInteractions: 2,
      movies: 13,
      users: 4,
    });
    // The odd release date of u.item line 8 is a warning, not a bad line.
    expect(manifest.badLines).toEqual({ count: 0, examples: [] });
    expect(manifest.warnings).toEqual({
      count: 1,
      examples: [
        {
          file: path.join(FIXTURES, 'ml-100k-quirks', 'u.item'),
          line: 8,
          problem: 'release date "1971-02-04" is not like 01-Jan-1995; taken as missing',
        },
      ],
    });
    expect(manifest.settings).toEqual({
      positiveRatingThreshold: 3.6,
      timestampShift: SECONDS,
      shiftSeconds: 1000,
      skipBadLines: false,
    });
    for (const file of Object.values(manifest.files)) {
      const bytes = readFileSync(path.join(out, file.key));
      expect({ key: file.key, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') }).toEqual({
        key: file.key,
        bytes: file.bytes,
        sha256: file.sha256,
      });
      expect(bytes.toString('utf8').split('\n').length - 2).toBe(file.rows);
    }
    expect(JSON.parse(readFileSync(path.join(out, 'personalize/manifest.json'), 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(manifest)),
    );
  });
});

describe('ml-latest fixture', () => {
  test('interactions keep ratings above the threshold; no users file; titles quoted on the web side', async () => {
    const { files, manifest } = await prepare(path.join(FIXTURES, 'ml-latest-quirks'), { edition: 'ml-latest-small' });
    expect(files['personalize/interactions.csv']).toBe(
      'USER_ID,ITEM_ID,TIMESTAMP,EVENT_TYPE,EVENT_VALUE\n1,1,964983703,rating,4.0\n1,3,964983224,rating,4.5\n2,4,964984815,rating,5.0\n',
    );
    expect(files['personalize/items.csv']).toBe(
      'ITEM_ID,GENRES,YEAR\n1,Adventure|Animation|Children|Comedy|Fantasy,1995\n2,Comedy|Drama|Romance,1995\n3,Musical,1998\n4,Drama|Musical,2012\n5,Sci-Fi,\n6,Comedy,1975\n7,,2008\n' +
        '8,Documentary,\n9,Drama|Mystery,2006\n10,Comedy,2001\n11,Drama|War,2014\n12,Thriller,1983\n13,Comedy,2018\n14,Comedy,1957\n15,Comedy|Drama,1996\n16,Drama,2002\n17,Action|Documentary|IMAX,2014\n26958,Romance,1996\n',
    );
    expect(files['web/movies.csv']).toBe(
      'id,title,year,genres\n' +
        '1,Toy Story,1995,Adventure|Animation|Children|Comedy|Fantasy\n' +
        '2,"American President, The",1995,Comedy|Drama|Romance\n' +
        '3,"""Great Performances"" Cats",1998,Musical\n' +
        '4,Misérables,2012,Drama|Musical\n' +
        '5,Babylon 5,,Sci-Fi\n' +
        '6,Fawlty Towers,1975,Comedy\n' +
        '7,Ghost Town,2008,\n' +
        '8,Jack & Jill 2013,,Documentary\n' +
        '9,Kira Note: Desu nôto,2006,Drama|Mystery\n' +
        '10,Sunny  Days,2001,Comedy\n' +
        "11,'82,2014,Drama|War\n" +
        '12,Night Moves,1983,Thriller\n' +
        '13,Smile :),2018,Comedy\n' +
        '14,The Naked Lie (Your Past Is Showing),1957,Comedy\n' +
        '15,Anna,1996,Comedy|Drama\n' +
        '16,"12\'10""02 - October 12",2002,Drama\n' +
        '17,Sky Giants,2014,Action|Documentary|IMAX\n' +
        '26958,Anna,1996,Romance\n',
    );
    expect(files['web/ratings.csv']).toContain('\n2,5,0.5,964983931\n');
    expect(Object.keys(files).filter((f) => f.includes('users'))).toEqual([]);
    expect(manifest.counts.users).toBeNull();
    expect(manifest.warnings).toEqual({ count: 0, examples: [] });
  });

  test('with skipBadLines, a broken quote in movies.csv costs exactly its line', async () => {
    const folder = tempDir();
    cpSync(path.join(FIXTURES, 'ml-latest-quirks'), folder, { recursive: true });
    const movies = readFileSync(path.join(folder, 'movies.csv'), 'utf8').replace(
      '2,"American President, The (1995)",',
      '2,"American President" The (1995),',
    );
    writeFileSync(path.join(folder, 'movies.csv'), movies);
    const { manifest, files } = await prepare(folder, { edition: 'ml-latest-small', skipBadLines: true });
    expect(manifest.badLines).toEqual({
      count: 1,
      examples: [
        {
          file: path.join(folder, 'movies.csv'),
          line: 3,
          problem: 'a quoted field goes on after its closing quote at column 22 (a stray " ?)',
        },
      ],
    });
    expect(manifest.counts.movies).toBe(17);
    const ids = files['personalize/items.csv'].split('\n').map((l) => l.split(',')[0]);
    expect(ids).toEqual([
      'ITEM_ID',
      '1',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
      '11',
      '12',
      '13',
      '14',
      '15',
      '16',
      '17',
      '26958',
      '',
    ]);
  });
});

describe('timestamp shift', () => {
  test('by default the newest review lands on the instant given', async () => {
    const newestAt = '2019-04-01T00:00:00Z';
    const { manifest, files } = await prepare(path.join(FIXTURES, 'ml-100k-quirks'), {
      edition: 'ml-100k',
      timestampShift: { kind: 'newestAt', newestAt },
    });
    const target = Date.parse(newestAt) / 1000;
    expect(manifest.timestamps.newestShifted).toBe(target);
    expect(manifest.settings.shiftSeconds).toBe(target - 889751712);
    const webTimes = files['web/ratings.csv']
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => Number(l.split(',')[3]));
    expect(Math.max(...webTimes)).toBe(target);
  });
});

describe('schemas', () => {
  test.each(['interactions', 'items', 'users'] as const)(
    "the %s CSV header is the schema's fields in order",
    async (name) => {
      const { files } = await prepare(path.join(FIXTURES, 'ml-100k-quirks'), { edition: 'ml-100k' });
      const header = files[`personalize/${name}.csv`].split('\n')[0];
      expect(header.split(',')).toEqual(SCHEMAS[name].fields.map((f) => f.name));
      expect(SCHEMA_FIELDS[name]).toEqual(header.split(','));
    },
  );

  test('the schemas are Personalize Avro records with the required fields', () => {
    expect(SCHEMAS.interactions.fields).toEqual([
      { name: 'USER_ID', type: 'string' },
      { name: 'ITEM_ID', type: 'string' },
      { name: 'TIMESTAMP', type: 'long' },
      { name: 'EVENT_TYPE', type: 'string' },
      { name: 'EVENT_VALUE', type: 'float' },
    ]);
    expect(SCHEMAS.items.fields[0]).toEqual({ name: 'ITEM_ID', type: 'string' });
    expect(SCHEMAS.users.fields[0]).toEqual({ name: 'USER_ID', type: 'string' });
    for (const schema of Object.values(SCHEMAS)) {
      expect(schema).toMatchObject({ type: 'record', namespace: 'com.amazonaws.personalize.schema', version: '1.0' });
      // Personalize wants categorical fields as nullable strings.
      for (const field of schema.fields.filter((f) => f.categorical)) expect(field.type).toEqual(['null', 'string']);
    }
  });
});

describe('sources', () => {
  test('a GroupLens-style zip gives the same output as the folder', async () => {
    const folder = tempDir();
    const names = writeSynthetic({ edition: 'ml-100k', users: 60, items: 120, ratings: 2000, seed: 3 }, folder);
    const zip = path.join(tempDir(), 'ml-100k.zip');
    await zipFolder(folder, names, 'ml-100k', zip);
    const fromFolder = await prepare(folder, { edition: 'ml-100k' });
    const fromZip = await prepare(zip, { edition: 'ml-100k' });
    const { 'personalize/manifest.json': zipManifest, ...zipFiles } = fromZip.files;
    const { 'personalize/manifest.json': folderManifest, ...folderFiles } = fromFolder.files;
    expect(zipFiles).toEqual(folderFiles);
    expect(Object.keys(zipFiles)).toHaveLength(6);
    expect(JSON.parse(zipManifest).files).toEqual(JSON.parse(folderManifest).files);
  });

  test('a missing file is named', async () => {
    const folder = tempDir();
    cpSync(path.join(FIXTURES, 'ml-100k-quirks'), folder, { recursive: true });
    const { rmSync } = await import('node:fs');
    rmSync(path.join(folder, 'u.user'));
    await expect(prepare(folder, { edition: 'ml-100k' })).rejects.toThrow(
      new DataFileError(path.join(folder, 'u.user'), undefined, 'file not found'),
    );
  });

  test('a file that is not a zip is named', async () => {
    const file = path.join(tempDir(), 'ml-100k.zip');
    writeFileSync(file, 'not a zip');
    await expect(openSource(file)).rejects.toThrow(/ml-100k\.zip: not a readable zip file/);
  });
});

describe("Personalize's minimums", () => {
  test.each([
    [
      'newestAt (checked before anything is written)',
      { kind: 'newestAt', newestAt: '2019-04-01T00:00:00Z' } as TimestampShift,
    ],
    ['seconds (outputs aborted, nothing left)', SECONDS],
  ])('too few interactions fails naming the minimum and the count: %s', async (_name, timestampShift) => {
    const out = tempDir();
    const source = await openSource(path.join(FIXTURES, 'ml-100k-quirks'));
    const run = prepareMovieLens({
      edition: 'ml-100k',
      source,
      sourceDescription: 'fixture',
      sink: new FolderSink(out),
      positiveRatingThreshold: 3.6,
      timestampShift,
    });
    await expect(run).rejects.toThrow(BelowPersonalizeMinimumError);
    await expect(run).rejects.toThrow(/interactions \(ratings above the threshold\): need 1000, got 5/);
    expect(readTree(out)).toEqual({});
  });

  test('too few users with two interactions is named too', async () => {
    await expect(
      prepare(path.join(FIXTURES, 'ml-100k-quirks'), {
        edition: 'ml-100k',
        minimums: { interactions: 1, usersWithTwoInteractions: 25 },
      }),
    ).rejects.toThrow(/users with at least 2 interactions: need 25, got 2/);
  });
});

describe('bad ratings', () => {
  function withBadRating(): string {
    const folder = tempDir();
    cpSync(path.join(FIXTURES, 'ml-100k-quirks'), folder, { recursive: true });
    const data = readFileSync(path.join(folder, 'u.data'), 'latin1').split('\n');
    data.splice(3, 0, '2\t2\t9\t876893171');
    writeFileSync(path.join(folder, 'u.data'), data.join('\n'), 'latin1');
    return folder;
  }

  test('fail by default, naming file and line, leaving nothing', async () => {
    const folder = withBadRating();
    await expect(prepare(folder, { edition: 'ml-100k' })).rejects.toThrow(
      `${path.join(folder, 'u.data')}, line 4: rating 9 is not a whole star from 1 to 5 (as u.data writes them: 1, 2, 3, 4 or 5)`,
    );
  });

  test('with skipBadLines, are counted in the manifest and left out', async () => {
    const { manifest, files } = await prepare(withBadRating(), { edition: 'ml-100k', skipBadLines: true });
    expect(manifest.badLines).toEqual({
      count: 1,
      examples: [
        {
          file: expect.stringMatching(/u\.data$/),
          line: 4,
          problem: 'rating 9 is not a whole star from 1 to 5 (as u.data writes them: 1, 2, 3, 4 or 5)',
        },
      ],
    });
    expect(manifest.counts.ratingsRead).toBe(7);
    expect(files['web/ratings.csv'].split('\n')).toHaveLength(9);
  });
});

describe('keys', () => {
  const settings = { edition: 'ml-100k' as const, positiveRatingThreshold: 3.6, timestampShift: SECONDS };

  test('the same settings give the same id; any change gives another', () => {
    const id = settingsId(settings, 'https://example.com/ml-100k.zip');
    expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(settingsId({ ...settings }, 'https://example.com/ml-100k.zip')).toBe(id);
    expect(settingsId({ ...settings, positiveRatingThreshold: 4 }, 'https://example.com/ml-100k.zip')).not.toBe(id);
    expect(
      settingsId({ ...settings, timestampShift: { kind: 'seconds', seconds: 1 } }, 'https://example.com/ml-100k.zip'),
    ).not.toBe(id);
    expect(settingsId(settings, 'https://mirror.example.com/ml-100k.zip')).not.toBe(id);
    expect(settingsId({ ...settings, skipBadLines: true }, 'https://example.com/ml-100k.zip')).not.toBe(id);
  });

  test('keys live under personalize/ and web/', () => {
    expect(preparedKeys('ml-100k/abc/')).toEqual({
      interactions: 'personalize/ml-100k/abc/interactions.csv',
      items: 'personalize/ml-100k/abc/items.csv',
      users: 'personalize/ml-100k/abc/users.csv',
      manifest: 'personalize/ml-100k/abc/manifest.json',
      webMovies: 'web/ml-100k/abc/movies.csv',
      webUsers: 'web/ml-100k/abc/users.csv',
      webRatings: 'web/ml-100k/abc/ratings.csv',
    });
  });

  test('partial files never show under their final name', async () => {
    const { out } = await prepare(path.join(FIXTURES, 'ml-100k-quirks'), { edition: 'ml-100k' });
    expect(Object.keys(readTree(out)).some((f) => f.endsWith('.partial'))).toBe(false);
    expect(existsSync(path.join(out, 'personalize/manifest.json'))).toBe(true);
  });
});
