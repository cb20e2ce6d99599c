/**
 * Splits a byte stream into lines without decoding it: the hot path of the transform works on
 * byte ranges of the chunks it is given. Handles LF and CRLF endings and a last line without a
 * newline; counts lines from 1.
 *
 * A line is at most MAX_LINE_BYTES long (no line of a MovieLens file is near it: the longest are
 * u.item's, about 200 bytes): a longer one is a LineTooLongError naming the file and the line, so
 * a crafted file of one 20 MB line is refused after 64 KiB instead of being gathered and parsed.
 * The tail of a chunk is kept as a list of pieces and joined once, when its line ends: the work is
 * linear in the input however the chunks fall.
 */
import { DataFileError } from './errors';

export type LineHandler = (buffer: Buffer, start: number, end: number, lineNumber: number) => void;

const LF = 10;
const CR = 13;

/** The longest line read, in bytes (its ending aside). */
export const MAX_LINE_BYTES = 64 * 1024;

/** A line longer than MAX_LINE_BYTES: not a MovieLens file (or a broken one). */
export class LineTooLongError extends DataFileError {
  constructor(file: string, line: number, maxBytes: number) {
    super(
      file,
      line,
      `the line is longer than ${maxBytes} bytes (${maxBytes / 1024} KiB); no line of a MovieLens file comes near that (is this the right file?)`,
    );
    this.name = 'LineTooLongError';
  }
}

export interface LineSplitterOptions {
  /** The file's name in messages. */
  readonly label?: string;
  readonly maxLineBytes?: number;
}

export class LineSplitter {
  /** The start of the line being read, copied from earlier chunks. */
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private lineNumber = 0;
  private readonly label: string;
  private readonly maxLineBytes: number;

  constructor(
    private readonly onLine: LineHandler,
    options: LineSplitterOptions = {},
  ) {
    this.label = options.label ?? 'input';
    this.maxLineBytes = options.maxLineBytes ?? MAX_LINE_BYTES;
  }

  /** Number of lines seen so far. */
  get lines(): number {
    return this.lineNumber;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.carryBytes > 0) {
      const newline = chunk.indexOf(LF);
      if (newline === -1) {
        this.keep(chunk, 0);
        return;
      }
      this.checkLength(this.carryBytes + newline);
      const joined = Buffer.concat([...this.carry, chunk.subarray(0, newline)]);
      this.carry = [];
      this.carryBytes = 0;
      this.emit(joined, 0, joined.length);
      start = newline + 1;
    }
    let newline: number;
    while ((newline = chunk.indexOf(LF, start)) !== -1) {
      this.checkLength(newline - start);
      this.emit(chunk, start, newline);
      start = newline + 1;
    }
    if (start < chunk.length) this.keep(chunk, start);
  }

  /** Flushes a last line that has no newline. */
  end(): void {
    // The carry is never empty when kept: it only holds bytes after the last newline.
    if (this.carryBytes > 0) {
      const last = Buffer.concat(this.carry);
      this.carry = [];
      this.carryBytes = 0;
      this.emit(last, 0, last.length);
    }
  }

  /** Keeps the chunk's tail for the next one, as a copy: the stream may reuse the chunk's memory. */
  private keep(chunk: Buffer, start: number): void {
    this.checkLength(this.carryBytes + chunk.length - start);
    this.carry.push(Buffer.from(chunk.subarray(start)));
    this.carryBytes += chunk.length - start;
  }

  /** `bytes`: the length of the line being read, up to its LF (a CR before it counts). */
  private checkLength(bytes: number): void {
    // One byte of slack for the CR of a CRLF ending.
    if (bytes > this.maxLineBytes + 1) throw new LineTooLongError(this.label, this.lineNumber + 1, this.maxLineBytes);
  }

  private emit(buffer: Buffer, start: number, end: number): void {
    this.lineNumber++;
    // For an empty line, the byte before `end` is the previous LF (or none): never a CR.
    if (buffer[end - 1] === CR) end--;
    if (end - start > this.maxLineBytes) throw new LineTooLongError(this.label, this.lineNumber, this.maxLineBytes);
    this.onLine(buffer, start, end, this.lineNumber);
  }
}

/** Splits a whole (small) buffer into lines, for files read at once. */
export function splitLines(buffer: Buffer, options: LineSplitterOptions = {}): { text: Buffer; lineNumber: number }[] {
  const lines: { text: Buffer; lineNumber: number }[] = [];
  const splitter = new LineSplitter((b, s, e, n) => lines.push({ text: b.subarray(s, e), lineNumber: n }), options);
  splitter.push(buffer);
  splitter.end();
  return lines;
}
