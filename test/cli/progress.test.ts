import { formatBytes, formatDuration, progressLine, progressOn } from '../../cli/progress';
import { recorder } from './helpers';

describe('progress', () => {
  it('draws bytes, the total, percent, rows, rate and ETA', () => {
    const line = progressLine(
      { label: 'ratings.csv', done: 50 * 1024 ** 2, total: 200 * 1024 ** 2, unit: 'bytes', rows: 2_000_000 },
      { at: 0, done: 0 },
      10_000,
    );
    expect(line).toBe('ratings.csv  50.0 MB of 200.0 MB  25%  2,000,000 rows  5.0 MB/s  ETA 30 s');
  });

  it('counts items as numbers', () => {
    expect(progressLine({ label: 'ratings', done: 500, total: 1000, unit: 'count' }, { at: 0, done: 0 }, 1000)).toBe(
      'ratings  500 of 1,000  50%  500/s  ETA 1 s',
    );
  });

  it('redraws on a terminal at most every 100 ms (and always the last step), then clears the line', () => {
    const tty = recorder(true);
    let now = 0;
    const progress = progressOn(tty, () => now);
    for (let done = 1; done <= 10; done++) {
      now += 30;
      progress.update({ label: 'x', done, total: 10, unit: 'count' });
    }
    progress.finish();
    expect(tty.chunks.length).toBeLessThan(6);
    expect(tty.chunks.at(-2)).toContain('x  10 of 10  100%');
    expect(tty.chunks.at(-1)).toBe('\r\x1b[2K');
  });

  it('writes nothing when not a terminal', () => {
    const pipe = recorder(false);
    const progress = progressOn(pipe);
    progress.update({ label: 'x', done: 1, total: 2, unit: 'count' });
    progress.finish();
    expect(pipe.chunks).toEqual([]);
  });

  it('formats sizes and durations', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GB');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(185)).toBe('3 min 5 s');
    expect(formatDuration(4320)).toBe('1 h 12 min');
  });
});
