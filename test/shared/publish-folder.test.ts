/**
 * Several processes asking for the same generated folder at once (the test workers on a fresh
 * clone all want the prepared sample) must never read it half-written.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { publishFolder, publishFolderSync } from '../../lib/shared/publish-folder';

const complete = (folder: string) => existsSync(path.join(folder, 'done'));

/** A build that writes a part, waits, then the marker: a reader in between would see half. */
const slowBuild =
  (label: string, ms = 20) =>
  async (into: string) => {
    writeFileSync(path.join(into, 'part'), label);
    await new Promise((resolve) => setTimeout(resolve, ms));
    writeFileSync(path.join(into, 'done'), label);
  };

describe('publishFolder', () => {
  test('builds aside and renames into place: concurrent callers all get one complete folder', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'publish-'));
    const folder = path.join(parent, 'prepared');
    // A reader polling meanwhile: the first time the folder looks complete, it must be whole.
    let seen: [string, string] | undefined;
    const reader = setInterval(() => {
      if (!seen && complete(folder))
        seen = [readFileSync(path.join(folder, 'part'), 'utf8'), readFileSync(path.join(folder, 'done'), 'utf8')];
    }, 1);
    const results = await Promise.all(
      // Staggered, so the reader runs between one build's end and the next's.
      ['a', 'b', 'c'].map((label, i) => publishFolder(folder, complete, slowBuild(label, 10 + 30 * i))),
    );
    clearInterval(reader);
    expect(results).toEqual([folder, folder, folder]);
    // (On a machine too loaded for the reader to run in time, the end state is checked below.)
    if (seen) expect(seen[0]).toBe(seen[1]);
    // One build's files, whole: the part and the marker come from the same build.
    expect(readFileSync(path.join(folder, 'part'), 'utf8')).toBe(readFileSync(path.join(folder, 'done'), 'utf8'));
    expect(readdirSync(parent)).toEqual(['prepared']);
  });

  test('a complete folder is used as it is; an incomplete one is replaced', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'publish-'));
    const folder = path.join(parent, 'prepared');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'part'), 'left by a crash');
    await publishFolder(folder, complete, slowBuild('new'));
    expect(readFileSync(path.join(folder, 'part'), 'utf8')).toBe('new');
    let built = 0;
    publishFolderSync(folder, complete, () => built++);
    expect(built).toBe(0);
    expect(readdirSync(parent)).toEqual(['prepared']);
  });

  test('a failed build leaves nothing behind and nothing in place', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'publish-'));
    const folder = path.join(parent, 'prepared');
    await expect(
      publishFolder(folder, complete, async () => {
        throw new Error('the source is unreadable');
      }),
    ).rejects.toThrow('the source is unreadable');
    expect(readdirSync(parent)).toEqual([]);
  });
});
