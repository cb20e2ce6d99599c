/**
 * Splits a byte stream into lines without decoding it: the hot path of the transform works on
 * byte ranges of the chunks it is given. Handles LF and CRLF endings and a last line without a
 * newline; counts lines from 1.
 */
export type LineHandler = (buffer: Buffer, start: number, end: number, lineNumber: number) => void;

const LF = 10;
const CR = 13;

export class LineSplitter {
  private carry: Buffer | undefined;
  private lineNumber = 0;

  constructor(private readonly onLine: LineHandler) {}

  /** Number of lines seen so far. */
  get lines(): number {
    return this.lineNumber;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.carry) {
      const newline = chunk.indexOf(LF);
      if (newline === -1) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, newline)]);
      this.carry = undefined;
      this.emit(joined, 0, joined.length);
      start = newline + 1;
    }
    let newline: number;
    while ((newline = chunk.indexOf(LF, start)) !== -1) {
      this.emit(chunk, start, newline);
      start = newline + 1;
    }
    // Copy the tail: the stream may reuse the chunk's memory.
    if (start < chunk.length) this.carry = Buffer.from(chunk.subarray(start));
  }

  /** Flushes a last line that has no newline. */
  end(): void {
    // The carry is never empty: it only holds bytes after the last newline.
    if (this.carry) this.emit(this.carry, 0, this.carry.length);
    this.carry = undefined;
  }

  private emit(buffer: Buffer, start: number, end: number): void {
    this.lineNumber++;
    // For an empty line, the byte before `end` is the previous LF (or none): never a CR.
    if (buffer[end - 1] === CR) end--;
    this.onLine(buffer, start, end, this.lineNumber);
  }
}

/** Splits a whole (small) buffer into lines, for files read at once. */
export function splitLines(buffer: Buffer): { text: Buffer; lineNumber: number }[] {
  const lines: { text: Buffer; lineNumber: number }[] = [];
  const splitter = new LineSplitter((b, s, e, n) => lines.push({ text: b.subarray(s, e), lineNumber: n }));
  splitter.push(buffer);
  splitter.end();
  return lines;
}
