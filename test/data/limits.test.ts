/**
 * Issue 15, point 9: crafted files cannot exhaust memory. Each file is read up to 4 × its
 * published size; a zip with too many entries or an entry that inflates too much is refused
 * before anything is inflated. Every refusal names the file (the zip entry) and the cap.
 */
import { once } from 'node:events';
import { createWriteStream, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import * as yazl from 'yazl';
import { fileSizeCap, PUBLISHED_FILE_BYTES } from '../../lib/data/movielens/editions';
import { prepareMovieLens } from '../../lib/data/movielens/prepare';
import { FolderSink } from '../../lib/data/movielens/sink';
import {
  cappedSource,
  FileTooLargeError,
  MAX_ZIP_ENTRIES,
  MovieLensSource,
  openSource,
  ZipSource,
} from '../../lib/data/movielens/source';
import { tempDir, TINY_MINIMUMS } from './helpers';

async function writeZip(zipPath: string, entries: [string, Buffer][]): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const [name, bytes] of entries) zip.addBuffer(bytes, name);
  zip.end();
  const out = createWriteStream(zipPath);
  zip.outputStream.pipe(out);
  await once(out, 'finish');
}

async function prepareFrom(location: string, edition: 'ml-latest-small' | 'ml-100k') {
  const source = await openSource(location);
  try {
    return await prepareMovieLens({
      edition,
      source,
      sourceDescription: location,
      sink: new FolderSink(tempDir()),
      positiveRatingThreshold: 3.6,
      timestampShift: { kind: 'seconds', seconds: 0 },
      minimums: TINY_MINIMUMS,
    });
  } finally {
    await source.close();
  }
}

/** Text that compresses little (about 2 times), like real data: no ratio limit applies. */
function noisyCsv(bytes: number): Buffer {
  const lines = ['movieId,title,genres'];
  let size = 0;
  let state = 1;
  for (let id = 1; size < bytes; id++) {
    state = (state * 48271) % 2147483647;
    const line = `${id},Film ${state.toString(36)} ${(state >> 3).toString(16)} (1995),Drama`;
    lines.push(line);
    size += line.length + 2;
  }
  return Buffer.from(`${lines.join('\r\n')}\r\n`);
}

describe('file size caps: 4 × the published size', () => {
  test('every file the preparation reads has a published size, and the cap is 4 times it', () => {
    expect(fileSizeCap('ml-latest-small', 'movies.csv')).toBe(4 * 494_431);
    expect(fileSizeCap('ml-25m', 'ratings.csv')).toBe(4 * 678_260_987);
    for (const files of Object.values(PUBLISHED_FILE_BYTES)) expect(Object.keys(files).length).toBeGreaterThan(1);
  });

  test('a folder movies.csv over the cap is refused before it is read, naming file and cap', async () => {
    const folder = tempDir();
    writeFileSync(path.join(folder, 'movies.csv'), noisyCsv(4 * 494_431 + 10));
    writeFileSync(path.join(folder, 'ratings.csv'), 'userId,movieId,rating,timestamp\r\n1,1,4.0,1\r\n');
    const error = await prepareFrom(folder, 'ml-latest-small').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FileTooLargeError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^${path.join(folder, 'movies.csv')}: holds \\d+ bytes, more than its cap of 1977724 bytes \\(4 × the 494431 bytes GroupLens publishes for ml-latest-small's movies\\.csv\\)$`,
      ),
    );
  });

  test('a zip entry over the cap (declared size) is refused naming the entry', async () => {
    const zipPath = path.join(tempDir(), 'ml-latest-small.zip');
    await writeZip(zipPath, [
      ['ml-latest-small/movies.csv', noisyCsv(2_000_000)],
      ['ml-latest-small/ratings.csv', Buffer.from('userId,movieId,rating,timestamp\r\n1,1,4.0,1\r\n')],
    ]);
    await expect(prepareFrom(zipPath, 'ml-latest-small')).rejects.toThrow(
      new RegExp(`^${zipPath}:ml-latest-small/movies\\.csv: holds \\d+ bytes, more than its cap of 1977724 bytes`),
    );
  });

  test('a stream is counted as it flows, and destroyed at the cap (a size can lie)', async () => {
    let produced = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const endless = new Readable({
      read() {
        produced += chunk.length;
        this.push(chunk);
      },
    });
    const fake: MovieLensSource = {
      has: async () => true,
      open: async () => endless,
      readAll: async () => Buffer.alloc(0),
      size: async () => undefined,
      label: (file) => `fake:${file}`,
      close: async () => {},
    };
    const capped = cappedSource(
      fake,
      () => 1_000_000,
      () => 'test cap',
    );
    await expect(capped.readAll('movies.csv')).rejects.toThrow(
      'fake:movies.csv: holds more than 1000000 bytes, more than its cap of 1000000 bytes (test cap)',
    );
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(1_000_000 + 20 * chunk.length);
  });
});

describe('zip limits', () => {
  test("the issue's zip bomb: a small zip inflating to a huge movies.csv is refused before inflating, naming the entry", async () => {
    const zipPath = path.join(tempDir(), 'ml-latest-small.zip');
    // 60 MB of one byte compresses to about 60 KB (the was 600 MB in 660 KB).
    await writeZip(zipPath, [
      ['ml-latest-small/movies.csv', Buffer.alloc(60_000_000, 0x61)],
      ['ml-latest-small/ratings.csv', Buffer.from('userId,movieId,rating,timestamp\r\n1,1,4.0,1\r\n')],
    ]);
    const before = process.memoryUsage().rss;
    await expect(prepareFrom(zipPath, 'ml-latest-small')).rejects.toThrow(
      `${zipPath}:ml-latest-small/movies.csv: holds 60000000 bytes, more than its cap of 1977724 bytes (4 × the 494431 bytes GroupLens publishes for ml-latest-small's movies.csv)`,
    );
    expect(process.memoryUsage().rss - before).toBeLessThan(50_000_000);
  });

  test('an entry under its cap that inflates more than 100 times is refused before inflating', async () => {
    const zipPath = path.join(tempDir(), 'ml-100k.zip');
    await writeZip(zipPath, [['ml-100k/u.item', Buffer.alloc(500_000, 0x61)]]);
    const zip = await ZipSource.open(zipPath);
    try {
      await expect(zip.open('u.item')).rejects.toThrow(
        new RegExp(
          `^${zipPath}:ml-100k/u\\.item: inflates from \\d+ to 500000 bytes, more than 100 times \\(MovieLens text compresses about 3 to 5 times\\): refused as a zip bomb$`,
        ),
      );
      await expect(zip.readAll('u.item')).rejects.toBeInstanceOf(FileTooLargeError);
    } finally {
      await zip.close();
    }
  });

  test('a zip of more than 1000 entries is refused', async () => {
    const zipPath = path.join(tempDir(), 'many.zip');
    const entries: [string, Buffer][] = [];
    for (let i = 0; i <= MAX_ZIP_ENTRIES; i++) entries.push([`ml-100k/f${i}`, Buffer.from('x')]);
    await writeZip(zipPath, entries);
    await expect(ZipSource.open(zipPath)).rejects.toThrow(
      `${zipPath}: holds more than 1000 entries; a MovieLens zip holds a few dozen (is this the right file?)`,
    );
  });

  test('a zip of exactly 1000 entries opens', async () => {
    const zipPath = path.join(tempDir(), 'ok.zip');
    const entries: [string, Buffer][] = [];
    for (let i = 0; i < MAX_ZIP_ENTRIES; i++) entries.push([`ml-100k/f${i}`, Buffer.from('x')]);
    await writeZip(zipPath, entries);
    const zip = await ZipSource.open(zipPath);
    expect(await zip.has('f999')).toBe(true);
    await zip.close();
  });
});
