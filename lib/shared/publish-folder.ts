/**
 * Builds a folder that several processes may ask for at once (the test workers, two `npm start`s)
 * without any of them reading it half-written: each builds into its own temporary folder beside
 * it and renames it into place (a rename is atomic on one file system). The first to finish wins;
 * the others find it complete and drop their copy. A folder left incomplete by an older, non-atomic
 * writer or a crash is replaced.
 */
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import * as path from 'node:path';

type Complete = (folder: string) => boolean;

/** `build` writes the folder's files into the directory it is given. */
export async function publishFolder(
  folder: string,
  complete: Complete,
  build: (into: string) => Promise<void>,
): Promise<string> {
  if (complete(folder)) return folder;
  const temporary = temporaryBeside(folder);
  try {
    await build(temporary);
    place(temporary, folder, complete);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  return folder;
}

/** `publishFolder` for a synchronous `build`. */
export function publishFolderSync(folder: string, complete: Complete, build: (into: string) => void): string {
  if (complete(folder)) return folder;
  const temporary = temporaryBeside(folder);
  try {
    build(temporary);
    place(temporary, folder, complete);
  } finally {
    rmSync(temporary, { recursive: true, force: true });
  }
  return folder;
}

function temporaryBeside(folder: string): string {
  const parent = path.dirname(folder);
  mkdirSync(parent, { recursive: true });
  const temporary = mkdtempSync(path.join(parent, `.${path.basename(folder)}-`));
  chmodSync(temporary, 0o755); // mkdtemp makes it private; the published folder is an ordinary one
  return temporary;
}

function place(temporary: string, folder: string, complete: Complete): void {
  try {
    renameSync(temporary, folder);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    // Another process published first, or an incomplete folder is in the way.
    if (complete(folder)) return;
    rmSync(folder, { recursive: true, force: true });
    renameSync(temporary, folder);
  }
}
