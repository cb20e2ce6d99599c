/**
 * Issue 15, point 10: the folder writer never writes through a link planted in --out: temporary
 * files are created exclusively, and the folders it creates must be real folders.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { OutputLocationError } from '../../lib/data/movielens/errors';
import { FolderSink } from '../../lib/data/movielens/sink';
import { tempDir } from './helpers';

async function write(sink: FolderSink, key: string, text: string) {
  const file = await sink.create(key);
  await file.write(Buffer.from(text));
  await file.close();
}

describe('FolderSink and planted links', () => {
  test('a planted movies.csv.partial -> victim is refused and the victim is untouched', async () => {
    const out = tempDir();
    const victim = path.join(tempDir(), 'victim');
    writeFileSync(victim, 'precious');
    mkdirSync(path.join(out, 'web'));
    symlinkSync(victim, path.join(out, 'web', 'movies.csv.partial'));
    const error = await write(new FolderSink(out), 'web/movies.csv', 'id,title\n').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutputLocationError);
    expect((error as Error).message).toBe(
      `${path.join(out, 'web', 'movies.csv.partial')}: exists and is a symbolic link: the temporary file is never written through another file; remove it and run again`,
    );
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(existsSync(path.join(out, 'web', 'movies.csv'))).toBe(false);
  });

  test('a dangling planted link is refused too (it would create the file it points to)', async () => {
    const out = tempDir();
    const victim = path.join(tempDir(), 'would-be-created');
    mkdirSync(path.join(out, 'web'));
    symlinkSync(victim, path.join(out, 'web', 'movies.csv.partial'));
    await expect(write(new FolderSink(out), 'web/movies.csv', 'x')).rejects.toBeInstanceOf(OutputLocationError);
    expect(existsSync(victim)).toBe(false);
  });

  test('a stale partial of an interrupted run (a regular file of ours) is replaced', async () => {
    const out = tempDir();
    mkdirSync(path.join(out, 'web'));
    writeFileSync(path.join(out, 'web', 'movies.csv.partial'), 'half a file');
    await write(new FolderSink(out), 'web/movies.csv', 'id,title\n1,A\n');
    expect(readFileSync(path.join(out, 'web', 'movies.csv'), 'utf8')).toBe('id,title\n1,A\n');
    expect(readdirSync(path.join(out, 'web'))).toEqual(['movies.csv']);
  });

  test('a link planted at the final name is replaced by the file, never written through', async () => {
    const out = tempDir();
    const victim = path.join(tempDir(), 'victim');
    writeFileSync(victim, 'precious');
    mkdirSync(path.join(out, 'web'));
    symlinkSync(victim, path.join(out, 'web', 'movies.csv'));
    await write(new FolderSink(out), 'web/movies.csv', 'id\n');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(path.join(out, 'web', 'movies.csv')).isFile()).toBe(true);
  });

  test.each(['web', 'personalize/ml-100k'])(
    'a subfolder %s planted as a link is refused, nothing written there',
    async (linked) => {
      const out = tempDir();
      const elsewhere = tempDir();
      mkdirSync(path.dirname(path.join(out, linked)), { recursive: true });
      symlinkSync(elsewhere, path.join(out, linked));
      const key = `${linked}/abc/movies.csv`;
      await expect(write(new FolderSink(out), key, 'x')).rejects.toThrow(
        `${path.join(out, linked)}: is a symbolic link where the output writes a folder: refused (remove it, or choose another --out)`,
      );
      expect(readdirSync(elsewhere)).toEqual([]);
    },
  );

  test('the location itself may be a link (the user chose it)', async () => {
    const real = tempDir();
    const link = path.join(tempDir(), 'out');
    symlinkSync(real, link);
    await write(new FolderSink(link), 'web/movies.csv', 'ok\n');
    expect(readFileSync(path.join(real, 'web', 'movies.csv'), 'utf8')).toBe('ok\n');
  });

  test('abort removes the partial and leaves no file; abort after close is harmless', async () => {
    const out = tempDir();
    const sink = new FolderSink(out);
    const file = await sink.create('web/a.csv');
    await file.write(Buffer.from('x'));
    await file.abort();
    expect(readdirSync(path.join(out, 'web'))).toEqual([]);
    const done = await sink.create('web/b.csv');
    await done.close();
    await done.abort();
    expect(readdirSync(path.join(out, 'web'))).toEqual(['b.csv']);
  });
});
