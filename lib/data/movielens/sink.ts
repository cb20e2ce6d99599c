import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { once } from 'node:events';
import { ByteSink } from './csv-output';

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

/** Writes under a local folder; files appear atomically (written to a temporary name, then renamed). */
export class FolderSink implements OutputSink {
  constructor(readonly location: string) {}

  async create(key: string): Promise<ByteSink> {
    const target = path.join(this.location, key);
    const temporary = `${target}.partial`;
    await fs.mkdir(path.dirname(target), { recursive: true });
    const stream = createWriteStream(temporary);
    await once(stream, 'open');
    return {
      async write(chunk: Buffer) {
        if (!stream.write(chunk)) await once(stream, 'drain');
      },
      async close() {
        stream.end();
        await once(stream, 'finish');
        await fs.rename(temporary, target);
      },
      async abort() {
        stream.destroy();
        await fs.rm(temporary, { force: true });
      },
    };
  }

  async read(key: string): Promise<Buffer | undefined> {
    return fs.readFile(path.join(this.location, key)).catch(() => undefined);
  }
}
