/**
 * Progress of long work on a terminal: one line redrawn in place (bytes or items done, the total,
 * rows, rate, ETA), at most ten times a second. Not a terminal (a pipe, a CI log): nothing at all,
 * so logs hold only the result.
 */
export interface ProgressUpdate {
  /** What is being worked on, e.g. "u.data" or "ratings". */
  readonly label: string;
  readonly done: number;
  readonly total?: number;
  /** `bytes` prints 12.3 MB; `count` prints 12,345. */
  readonly unit: 'bytes' | 'count';
  /** Rows read, when counting bytes. */
  readonly rows?: number;
}

export interface Progress {
  update(update: ProgressUpdate): void;
  /** Clears the line. */
  finish(): void;
}

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export const QUIET: Progress = { update: () => undefined, finish: () => undefined };

export function progressOn(stream: ProgressStream, now: () => number = () => Date.now()): Progress {
  if (!stream.isTTY) return QUIET;
  let last = 0;
  let drawn = false;
  const started = new Map<string, { at: number; done: number }>();
  return {
    update(u) {
      const t = now();
      if (!started.has(u.label)) started.set(u.label, { at: t, done: u.done });
      if (t - last < 100 && u.done !== u.total) return;
      last = t;
      const line = progressLine(u, started.get(u.label)!, t);
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r\x1b[2K${line.slice(0, width)}`);
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

/** The text of one progress line (exported for tests). */
export function progressLine(u: ProgressUpdate, start: { at: number; done: number }, now: number): string {
  const amount = (n: number) => (u.unit === 'bytes' ? formatBytes(n) : n.toLocaleString('en-US'));
  const parts = [u.label];
  if (u.total) {
    parts.push(`${amount(u.done)} of ${amount(u.total)}`, `${Math.min(100, Math.floor((u.done / u.total) * 100))}%`);
  } else {
    parts.push(amount(u.done));
  }
  if (u.rows !== undefined) parts.push(`${u.rows.toLocaleString('en-US')} rows`);
  const seconds = (now - start.at) / 1000;
  const rate = seconds > 0.2 ? (u.done - start.done) / seconds : 0;
  if (rate > 0) {
    parts.push(`${u.unit === 'bytes' ? formatBytes(rate) : Math.round(rate).toLocaleString('en-US')}/s`);
    if (u.total && u.done < u.total) parts.push(`ETA ${formatDuration((u.total - u.done) / rate)}`);
  }
  return parts.join('  ');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(2)} GB`;
}

/** 0 s, 42 s, 3 min 5 s, 1 h 12 min. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const minutes = Math.round((s % 3600) / 60);
  return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} min` : ''}`;
}
