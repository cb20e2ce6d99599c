import { mkdtempSync, readFileSync, readdirSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const FIXTURES = path.join(__dirname, 'fixtures');

export function tempDir(name = 'movierecs-data-'): string {
  return mkdtempSync(path.join(os.tmpdir(), name));
}

/** Every file under a folder, relative path -> text. */
export function readTree(folder: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files[path.relative(folder, full)] = readFileSync(full, 'utf8');
    }
  };
  walk(folder);
  return files;
}

/** Small minimums for fixtures of a few lines. */
export const TINY_MINIMUMS = { interactions: 1, usersWithTwoInteractions: 1 };
