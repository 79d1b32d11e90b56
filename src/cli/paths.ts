/**
 * cli/paths: from the paths a user gives to the scenario files a command reads.
 *
 * Owns: expanding directories (every scenario file in it, sorted; a directory that cannot be
 * listed is one invalid entry), how a file is named in reports (relative to the working
 * directory when inside it), and recognising sgsim's own run reports (`--json` output) so that
 * one saved into a scenario folder does not break the next run of that folder: found by a
 * directory listing it is skipped with a note, named on its own it is an invalid file that
 * says what it is. Reading a scenario file itself (and refusing special files) is the loader's.
 */
import { closeSync, constants, fstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { SCENARIO_EXTENSIONS, isScenarioFile, type Diagnostic } from '../index.ts';

/** A file to read: its path, and whether a directory listing found it (rather than the user naming it). */
export interface FoundFile {
  readonly path: string;
  readonly listed: boolean;
}

/** A file as reports name it: relative to the working directory when inside it, else as given. */
export function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, resolve(cwd, file));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function describeCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'ELOOP') return 'too many levels of symbolic links';
  return code ?? (e as Error).message;
}

/** Expands files and directories (a directory means every scenario file in it, sorted). */
export function expandPaths(paths: readonly string[]): { files: FoundFile[]; problems: Diagnostic[] } {
  const files: FoundFile[] = [];
  const problems: Diagnostic[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      problems.push({ file: p, path: '', message: code === 'ENOENT' || code === 'ENOTDIR' ? 'no such file or directory' : `cannot read the path: ${describeCode(e)}` });
      continue;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(p);
      } catch (e) {
        problems.push({ file: p, path: '', message: `cannot list the directory: ${describeCode(e)}` });
        continue;
      }
      // Entries that cannot be stat'ed (a dangling link…) stay in: loading them reports why.
      const found = names
        .filter((n) => isScenarioFile(n) && !n.toLowerCase().endsWith('.d.ts'))
        .sort()
        .map((n) => join(p, n))
        .filter((f) => !isDirectory(f));
      if (found.length === 0) problems.push({ file: p, path: '', message: `the directory holds no scenario files (${SCENARIO_EXTENSIONS.join(', ')})` });
      for (const path of found) files.push({ path, listed: true });
    } else files.push({ path: p, listed: false });
  }
  return { files, problems };
}

/**
 * Whether a `.json` file is an sgsim run report: it starts as every `--json` document does,
 * `{ "version": 1, "scenario": …` (one report) or `{ "version": 1, "scenarios": …` (several).
 * Reads at most 256 bytes, and only from a regular file (never blocks on a FIFO or a device).
 */
export function isRunReport(path: string): boolean {
  if (extname(path).toLowerCase() !== '.json') return false;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return false;
  }
  try {
    if (!fstatSync(fd).isFile()) return false;
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return /^\uFEFF?\s*\{\s*"version"\s*:\s*1\s*,\s*"scenarios?"\s*:/.test(buf.toString('utf8', 0, n));
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}
