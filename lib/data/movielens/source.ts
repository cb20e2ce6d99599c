import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline, Readable, Transform } from 'node:stream';
import * as yauzl from 'yauzl';
import { DataFileError } from './errors';

/**
 * Where MovieLens files are read from: a folder as GroupLens unpacks it, or the zip GroupLens
 * publishes (its files sit in one top folder, e.g. `ml-100k/u.data`). Files can be opened more
 * than once: the transform reads the ratings twice instead of holding them in memory.
 */
export interface MovieLensSource {
  /** Whether the file exists. */
  has(fileName: string): Promise<boolean>;
  /** A fresh stream of the file's bytes. */
  open(fileName: string): Promise<Readable>;
  /** The whole file (for the small ones: movies, users). */
  readAll(fileName: string): Promise<Buffer>;
  /** The file's size in bytes (uncompressed), for progress; undefined when it is not there. */
  size(fileName: string): Promise<number | undefined>;
  /** How to name the file in an error message. */
  label(fileName: string): string;
  close(): Promise<void>;
}

/** Opens a folder or a `.zip` file. */
export async function openSource(location: string): Promise<MovieLensSource> {
  const stat = await fs.stat(location).catch(() => undefined);
  if (!stat) throw new DataFileError(location, undefined, 'no such file or folder');
  if (stat.isDirectory()) return new FolderSource(location);
  return ZipSource.open(location);
}

export class FolderSource implements MovieLensSource {
  constructor(private readonly folder: string) {}

  async has(fileName: string): Promise<boolean> {
    return (await fs.stat(path.join(this.folder, fileName)).catch(() => undefined))?.isFile() ?? false;
  }

  async open(fileName: string): Promise<Readable> {
    await this.mustExist(fileName);
    return createReadStream(path.join(this.folder, fileName), { highWaterMark: 256 * 1024 });
  }

  async readAll(fileName: string): Promise<Buffer> {
    await this.mustExist(fileName);
    return fs.readFile(path.join(this.folder, fileName));
  }

  async size(fileName: string): Promise<number | undefined> {
    const stat = await fs.stat(path.join(this.folder, fileName)).catch(() => undefined);
    return stat?.isFile() ? stat.size : undefined;
  }

  label(fileName: string): string {
    return path.join(this.folder, fileName);
  }

  async close(): Promise<void> {}

  private async mustExist(fileName: string): Promise<void> {
    if (!(await this.has(fileName))) throw new DataFileError(this.label(fileName), undefined, 'file not found');
  }
}

/**
 * Zip limits (MovieLens zips hold at most a few dozen entries, and text compresses about 3 to 5
 * times): a zip with more entries, or an entry read that claims to inflate more than
 * MAX_INFLATION_RATIO times, is refused before anything is inflated.
 */
export const MAX_ZIP_ENTRIES = 1000;
export const MAX_INFLATION_RATIO = 100;

/** A file bigger than the most the preparation reads of it. */
export class FileTooLargeError extends DataFileError {
  constructor(file: string, problem: string) {
    super(file, undefined, problem);
    this.name = 'FileTooLargeError';
  }
}

/**
 * The source, with each file read only up to its cap (`caps(fileName)` bytes; undefined: no cap):
 * a declared size over it is refused before reading, and every stream is counted as it flows (a
 * size can lie, a folder's file can grow) and fails once it passes the cap.
 */
export function cappedSource(
  source: MovieLensSource,
  caps: (fileName: string) => number | undefined,
  why: (fileName: string, cap: number) => string,
): MovieLensSource {
  const tooLarge = (fileName: string, cap: number, size: string) =>
    new FileTooLargeError(
      source.label(fileName),
      `holds ${size}, more than its cap of ${cap} bytes (${why(fileName, cap)})`,
    );
  const open = async (fileName: string): Promise<Readable> => {
    const cap = caps(fileName);
    if (cap === undefined) return source.open(fileName);
    const declared = await source.size(fileName);
    if (declared !== undefined && declared > cap) throw tooLarge(fileName, cap, `${declared} bytes`);
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        bytes += chunk.length;
        if (bytes > cap) done(tooLarge(fileName, cap, `more than ${cap} bytes`));
        else done(null, chunk);
      },
    });
    // pipeline destroys the source stream when the count fails: nothing more is inflated.
    return pipeline(await source.open(fileName), counter, () => {});
  };
  return {
    has: (fileName) => source.has(fileName),
    size: (fileName) => source.size(fileName),
    label: (fileName) => source.label(fileName),
    close: () => source.close(),
    open,
    async readAll(fileName) {
      if (caps(fileName) === undefined) return source.readAll(fileName);
      const chunks: Buffer[] = [];
      for await (const chunk of await open(fileName)) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },
  };
}

export class ZipSource implements MovieLensSource {
  private constructor(
    private readonly zipPath: string,
    private readonly zip: yauzl.ZipFile,
    private readonly entries: Map<string, yauzl.Entry>,
    /** Every entry's full name, folders included, in zip order. */
    private readonly names: readonly string[],
  ) {}

  static async open(zipPath: string): Promise<ZipSource> {
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(zipPath, { lazyEntries: true, autoClose: false }, (error, opened) =>
        error
          ? reject(new DataFileError(zipPath, undefined, `not a readable zip file (${error.message})`))
          : resolve(opened),
      ),
    );
    const entries = new Map<string, yauzl.Entry>();
    const names: string[] = [];
    const duplicates = new Set<string>();
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        if (names.length === MAX_ZIP_ENTRIES) {
          zip.close();
          reject(
            new DataFileError(
              zipPath,
              undefined,
              `holds more than ${MAX_ZIP_ENTRIES} entries; a MovieLens zip holds a few dozen (is this the right file?)`,
            ),
          );
          return;
        }
        const name = entry.fileName;
        names.push(name);
        if (!name.endsWith('/') && !name.startsWith('__MACOSX/')) {
          const base = path.posix.basename(name);
          if (entries.has(base)) duplicates.add(base);
          entries.set(base, entry);
        }
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (error: Error) =>
        reject(new DataFileError(zipPath, undefined, `unreadable zip: ${error.message}`)),
      );
      zip.readEntry();
    });
    for (const base of duplicates) entries.delete(base);
    return new ZipSource(zipPath, zip, entries, names);
  }

  /**
   * Checks the zip is laid out as GroupLens publishes an edition: everything in one top folder
   * named after it (macOS's `__MACOSX/` aside), with the files the preparation reads right in it.
   */
  checkLayout(folder: string, files: readonly string[]): void {
    const names = this.names.filter((name) => !name.startsWith('__MACOSX/'));
    const tops = [...new Set(names.map((name) => name.split('/')[0]))];
    const expected = `one top folder "${folder}/" holding ${files.join(', ')}`;
    if (tops.length !== 1 || tops[0] !== folder) {
      const found = tops.length ? tops.map((top) => `"${top}"`).join(', ') : 'nothing';
      throw new DataFileError(this.zipPath, undefined, `expected ${expected}; its top level holds ${found}`);
    }
    const missing = files.filter((file) => !names.includes(`${folder}/${file}`));
    if (missing.length) {
      throw new DataFileError(this.zipPath, undefined, `expected ${expected}; missing ${missing.join(', ')}`);
    }
  }

  async has(fileName: string): Promise<boolean> {
    return this.entries.has(fileName);
  }

  async open(fileName: string): Promise<Readable> {
    const entry = this.entry(fileName);
    const { compressedSize, uncompressedSize } = entry;
    if (uncompressedSize > MAX_INFLATION_RATIO * Math.max(compressedSize, 1)) {
      throw new FileTooLargeError(
        this.label(fileName),
        `inflates from ${compressedSize} to ${uncompressedSize} bytes, more than ${MAX_INFLATION_RATIO} times (MovieLens text compresses about 3 to 5 times): refused as a zip bomb`,
      );
    }
    return new Promise<Readable>((resolve, reject) =>
      this.zip.openReadStream(entry, (error, stream) =>
        error ? reject(new DataFileError(this.label(fileName), undefined, error.message)) : resolve(stream),
      ),
    );
  }

  async readAll(fileName: string): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of await this.open(fileName)) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  }

  async size(fileName: string): Promise<number | undefined> {
    return this.entries.get(fileName)?.uncompressedSize;
  }

  label(fileName: string): string {
    const entry = this.entries.get(fileName);
    return `${this.zipPath}:${entry?.fileName ?? fileName}`;
  }

  async close(): Promise<void> {
    this.zip.close();
  }

  private entry(fileName: string): yauzl.Entry {
    const entry = this.entries.get(fileName);
    if (!entry) throw new DataFileError(this.label(fileName), undefined, 'file not found in the zip (or found twice)');
    return entry;
  }
}
