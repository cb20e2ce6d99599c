import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { ByteSink } from './csv-output';
import { OutputLocationError } from './errors';

/**
 * Where prepared files go, by key (`personalize/.../interactions.csv`): a local folder or, in
 * AWS, the data bucket.
 */
export interface OutputSink {
  /** Opens a file for writing; it exists only once closed. */
  create(key: string, contentType: string): Promise<ByteSink>;
  /** Reads a file written earlier, or undefined. */
  read(key: string): Promise<Buffer | undefined>;
  /** Where the files are, for messages. */
  readonly location: string;
}

/**
 * Writes under a local folder; files appear atomically (written to a temporary name, then
 * renamed). Nothing planted in the folder redirects a write:
 * - the temporary file is created exclusively (`wx`: O_CREAT|O_EXCL, which also fails on a
 *   symbolic link, dangling or not), so a planted `movies.csv.partial -> victim` is never followed;
 *   a stale partial left by an interrupted run is removed only when it is a regular file owned by
 *   this user (anything else there is refused, named, for the user to look at);
 * - the folders it creates under the location (`personalize/`, `web/`, the revision folders) must
 *   be real folders: a symbolic link planted in their place is refused. The location itself may
 *   be a link: the user chose it.
 * - the rename replaces a link at the final name, never writes through it.
 */
export class FolderSink implements OutputSink {
  constructor(readonly location: string) {}

  async create(key: string): Promise<ByteSink> {
    const target = path.join(this.location, key);
    const temporary = `${target}.partial`;
    await fs.mkdir(this.location, { recursive: true });
    await this.realFolders(path.dirname(target));
    const handle = await openExclusive(temporary);
    const stream = handle.createWriteStream();
    return {
      async write(chunk: Buffer) {
        if (!stream.write(chunk)) await once(stream, 'drain');
      },
      async close() {
        stream.end();
        await once(stream, 'close');
        await fs.rename(temporary, target);
      },
      async abort() {
        // Closed already (committed, or failed): nothing to wait for.
        if (!stream.closed) {
          const closed = once(stream, 'close').catch(() => undefined);
          stream.destroy();
          await closed;
        }
        await fs.rm(temporary, { force: true });
      },
    };
  }

  async read(key: string): Promise<Buffer | undefined> {
    return fs.readFile(path.join(this.location, key)).catch(() => undefined);
  }

  /** Creates each folder from the location down to `folder`, refusing any that is not a real folder. */
  private async realFolders(folder: string): Promise<void> {
    const relative = path.relative(this.location, folder);
    if (relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new OutputLocationError(folder, `is outside the output folder ${this.location}`);
    }
    let current = this.location;
    for (const part of relative.split(path.sep).filter(Boolean)) {
      current = path.join(current, part);
      let stat = await fs.lstat(current).catch(() => undefined);
      if (!stat) {
        await fs.mkdir(current).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== 'EEXIST') throw error;
        });
        stat = await fs.lstat(current);
      }
      if (stat.isSymbolicLink()) {
        throw new OutputLocationError(
          current,
          'is a symbolic link where the output writes a folder: refused (remove it, or choose another --out)',
        );
      }
      if (!stat.isDirectory()) {
        throw new OutputLocationError(current, 'is not a folder where the output writes one: refused');
      }
    }
  }
}

/** Opens `file` for writing, created by this call; a stale partial of ours is removed first. */
async function openExclusive(file: string): Promise<fs.FileHandle> {
  try {
    return await fs.open(file, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const stat = await fs.lstat(file);
  const ours = process.getuid === undefined || stat.uid === process.getuid();
  if (stat.isSymbolicLink() || !stat.isFile() || !ours) {
    const what = stat.isSymbolicLink() ? 'a symbolic link' : !stat.isFile() ? 'not a regular file' : 'not yours';
    throw new OutputLocationError(
      file,
      `exists and is ${what}: the temporary file is never written through another file; remove it and run again`,
    );
  }
  // A partial of an interrupted run: ours, a regular file, never renamed into place.
  await fs.unlink(file);
  return fs.open(file, 'wx');
}
