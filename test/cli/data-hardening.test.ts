/**
 * Issue 15 (data part) through the real CLI: planted links in --out, option ranges, formula-like
 * titles. Crafted inputs are written here; no MovieLens data.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureSample } from '../../data/synthetic/sample';
import { binary, cli } from './helpers';

const STACK_TRACE = /\n\s+at /;

function tmp(name: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `movierecs-${name}-`));
}

describe('movierecs data and links planted in --out', () => {
  it('a planted web/movies.csv.partial -> victim: exit 1 naming the link, the victim untouched', async () => {
    const out = tmp('out');
    const victim = path.join(tmp('victim'), 'victim.txt');
    writeFileSync(victim, 'precious');
    mkdirSync(path.join(out, 'web'));
    symlinkSync(victim, path.join(out, 'web', 'movies.csv.partial'));
    const run = await cli(['data', '--edition', 'ml-100k', '--source', ensureSample(), '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `movierecs data: ${path.join(out, 'web', 'movies.csv.partial')}: exists and is a symbolic link`,
    );
    expect(run.stderr).not.toContain('unexpected error');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
  });

  it('a planted web -> elsewhere folder link: exit 1, nothing written elsewhere', async () => {
    const out = tmp('out');
    const elsewhere = tmp('elsewhere');
    symlinkSync(elsewhere, path.join(out, 'web'));
    const run = binary(['data', '--edition', 'ml-100k', '--source', ensureSample(), '--out', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${path.join(out, 'web')}: is a symbolic link where the output writes a folder`);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(existsSync(path.join(out, 'personalize', 'manifest.json'))).toBe(false);
  });
});
