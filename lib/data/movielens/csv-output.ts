import { createHash, Hash } from 'node:crypto';

/** Where a CSV output's bytes go: resolves when the bytes are accepted (backpressure). */
export interface ByteSink {
  write(chunk: Buffer): Promise<void>;
  /** Commits the file: only now does it exist. */
  close(): Promise<void>;
  /** Discards what was written: the file never appears. */
  abort(): Promise<void>;
}

/** What was written: for the manifest. */
export interface WrittenFile {
  readonly key: string;
  readonly rows: number;
  readonly bytes: number;
  readonly sha256: string;
}

const COMMA = 44;
const LF = 10;

const FLUSH_AT = 256 * 1024;

/**
 * A buffered CSV writer that formats rows straight into bytes (no per-row strings on the hot
 * path), hashes what it writes and counts rows. Call `flushIfFull()` between input chunks so the
 * sink's backpressure is respected.
 */
export class CsvOutput {
  private buffer = Buffer.allocUnsafe(1024 * 1024);
  private used = 0;
  private readonly hash: Hash = createHash('sha256');
  private totalBytes = 0;
  private rowCount = 0;
  private atLineStart = true;

  constructor(
    readonly key: string,
    private readonly sink: ByteSink,
    header: readonly string[],
  ) {
    this.writeAscii(header.join(','));
    this.buffer[this.used++] = LF;
  }

  /**
   * Appends a whole-number field (the hot path: digits written straight into the buffer). Only a
   * safe integer is written: anything else (Infinity, NaN, 1e300, a fraction) throws, since it
   * cannot be written exactly.
   */
  int(value: number): this {
    if (!Number.isSafeInteger(value)) throw new RangeError(`CsvOutput.int: ${value} is not a safe integer`);
    this.separator();
    let rest = value;
    let sign = 0;
    if (rest < 0) {
      sign = 1;
      rest = -rest;
    }
    let digits = 1;
    for (let power = 10; power <= rest; power *= 10) digits++;
    this.ensure(sign + digits);
    const buffer = this.buffer;
    if (sign) buffer[this.used++] = 45;
    let position = this.used + digits;
    this.used = position;
    do {
      // Math.floor(rest / 10) is exact below 10^15 (the rounding of rest / 10 stays under a tenth)
      // and fast; near 2^53 it can round up, so `%` (exact, slower on doubles) takes over there.
      let quotient: number;
      if (rest < 1e15) {
        quotient = Math.floor(rest / 10);
      } else {
        quotient = (rest - (rest % 10)) / 10;
      }
      buffer[--position] = 48 + (rest - quotient * 10);
      rest = quotient;
    } while (rest > 0);
    return this;
  }

  /** Appends bytes copied from an input buffer, as they are (they must need no quoting). */
  raw(source: Buffer, start: number, end: number): this {
    this.separator();
    this.ensure(end - start);
    source.copy(this.buffer, this.used, start, end);
    this.used += end - start;
    return this;
  }

  /** Appends a text field, quoted as RFC 4180 requires; undefined writes an empty field. */
  text(value: string | number | undefined): this {
    this.separator();
    if (value === undefined) return this;
    const text = String(value);
    const needsQuotes = /[",\r\n]/.test(text);
    const encoded = Buffer.from(needsQuotes ? `"${text.replace(/"/g, '""')}"` : text, 'utf8');
    this.ensure(encoded.length);
    encoded.copy(this.buffer, this.used);
    this.used += encoded.length;
    return this;
  }

  /** Ends the current row. */
  endRow(): void {
    this.ensure(1);
    this.buffer[this.used++] = LF;
    this.checkBounds();
    this.atLineStart = true;
    this.rowCount++;
  }

  /** Hands buffered bytes to the sink once enough have gathered. */
  async flushIfFull(): Promise<void> {
    if (this.used >= FLUSH_AT) await this.flush();
  }

  /** Flushes and closes the sink; returns what was written. */
  async close(): Promise<WrittenFile> {
    await this.flush();
    await this.sink.close();
    return { key: this.key, rows: this.rowCount, bytes: this.totalBytes, sha256: this.hash.digest('hex') };
  }

  /** Discards the output. */
  async abort(): Promise<void> {
    this.used = 0;
    await this.sink.abort();
  }

  get rows(): number {
    return this.rowCount;
  }

  private async flush(): Promise<void> {
    this.checkBounds();
    if (this.used === 0) return;
    const chunk = Buffer.from(this.buffer.subarray(0, this.used));
    this.used = 0;
    this.hash.update(chunk);
    this.totalBytes += chunk.length;
    await this.sink.write(chunk);
  }

  private separator(): void {
    if (this.atLineStart) {
      this.atLineStart = false;
    } else {
      this.ensure(1);
      this.buffer[this.used++] = COMMA;
    }
  }

  private writeAscii(text: string): void {
    this.ensure(text.length);
    this.used += this.buffer.write(text, this.used, 'latin1');
  }

  /** Throws if a write went past the reserved bytes: the bytes after them were never written. */
  private checkBounds(): void {
    if (this.used > this.buffer.length) {
      throw new RangeError(`CsvOutput: wrote to byte ${this.used} of a ${this.buffer.length}-byte buffer`);
    }
  }

  /** Makes room for `bytes` more; every write goes through here, so none lands past the buffer. */
  private ensure(bytes: number): void {
    if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`CsvOutput: cannot reserve ${bytes} bytes`);
    if (this.used + bytes <= this.buffer.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.used + bytes));
    this.buffer.copy(bigger, 0, 0, this.used);
    this.buffer = bigger;
  }
}
