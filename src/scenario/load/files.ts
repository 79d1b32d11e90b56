/**
 * scenario/load/files: a scenario file read from disk, whatever the path names.
 *
 * Owns: which extensions are scenario files, refusing what is not a regular file (a
 * directory, a FIFO, a device, a socket, a symlink loop) before opening it, the size limit,
 * read errors in words, and handing the text (or a builder script) on.
 */
import { constants, type Stats } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { shown, type Diagnostic } from '../diagnostics.ts';
import type { ScenarioSpec } from '../spec.ts';
import { importBuilderScript } from './builder-script.ts';
import { loadScenarioText, validateScenario, type ValidationResult } from './validate.ts';

export type LoadResult =
  | { ok: true; spec: ScenarioSpec; file: string }
  | { ok: false; diagnostics: Diagnostic[]; file: string };


/** File extensions `loadScenarioFile` reads (lower case, with the dot). */
export const SCENARIO_EXTENSIONS: readonly string[] = ['.yaml', '.yml', '.json', '.ts'];

/** Whether a path names a scenario file by its extension. */
export function isScenarioFile(path: string): boolean {
  return SCENARIO_EXTENSIONS.includes(extname(path).toLowerCase());
}

/**
 * The largest scenario files read, in bytes, by format: what the parsers can hold in Node's
 * default heap (about 4 GB) with room to spare. A JSON document takes about 9 times its size
 * while it is read (the 10^6-instance world `sgsim generate --instances 1000000 --format json`
 * writes, 225 MB, loads in 2 GB); a YAML one about 100 times (the 10^5-instance world, 16 MB,
 * took 1.5 GB). So JSON up to 320 MiB, YAML (and a builder script's source) up to 32 MiB.
 */
export const MAX_SCENARIO_BYTES: Readonly<Record<'json' | 'yaml', number>> = {
  json: 320 * 1024 * 1024,
  yaml: 32 * 1024 * 1024,
};

export interface LoadOptions {
  /** The size limit in bytes (default: MAX_SCENARIO_BYTES of the file's format). */
  readonly maxBytes?: number;
}

/**
 * Reads a scenario file (`.yaml`, `.yml`, `.json`, or a `.ts` builder script whose default
 * export is a builder or a plain document) and validates it. Never throws for bad input, and
 * never blocks on what is not a regular file: a directory, a FIFO, a device, a socket or a
 * symlink loop is one diagnostic saying what the path is.
 */
export async function loadScenarioFile(path: string, options: LoadOptions = {}): Promise<LoadResult> {
  const file = path;
  const fail = (message: string, at = ''): LoadResult => ({ ok: false, file, diagnostics: [shown({ file, path: at, message })] });
  const ext = extname(path).toLowerCase();
  if (!SCENARIO_EXTENSIONS.includes(ext)) {
    return fail(`unknown file type ${ext ? `"${ext}"` : '(no extension)'} (expected .yaml, .yml, .json or .ts)`);
  }
  const format = ext === '.json' ? 'json' : 'yaml';
  const max = options.maxBytes ?? MAX_SCENARIO_BYTES[format];
  const read = await readScenarioText(path, max, format === 'yaml' && ext !== '.ts' && max < MAX_SCENARIO_BYTES.json ? YAML_HINT : '');
  if (typeof read !== 'string') return fail(read.error);
  let result: ValidationResult;
  if (ext === '.ts') {
    const doc = await importBuilderScript(path, file);
    if (!doc.ok) return { ok: false, file, diagnostics: doc.diagnostics.map(shown) };
    result = validateScenario(doc.doc, file);
  } else {
    result = loadScenarioText(read, file, format);
  }
  return result.ok ? { ok: true, spec: result.spec, file } : { ok: false, diagnostics: result.diagnostics, file };
}

/** What a path names when it is not a regular file, in words; undefined for a regular file. */
export function describeNonFile(s: Stats): string | undefined {
  if (s.isFile()) return undefined;
  if (s.isDirectory()) return 'it is a directory';
  if (s.isFIFO()) return 'it is a FIFO (a named pipe), not a regular file';
  if (s.isCharacterDevice() || s.isBlockDevice()) return 'it is a device, not a regular file';
  if (s.isSocket()) return 'it is a socket, not a regular file';
  return 'it is not a regular file';
}

const YAML_HINT = `; write a world this large as JSON (up to ${MAX_SCENARIO_BYTES.json / (1024 * 1024)} MiB), which also loads about ten times faster`;

function tooBig(size: number, max: number, hint: string): string {
  const shown = (n: number): string => (n >= 1024 * 1024 ? `${Math.round((n / (1024 * 1024)) * 10) / 10} MiB` : `${n} bytes`);
  const exact = size >= 1024 * 1024 ? ` (${size} bytes)` : '';
  return `the file is too large to load: ${shown(size)}${exact}; the limit is ${shown(max)}${hint}`;
}

/**
 * A regular file's text (UTF-8), or why it cannot be read. The path is looked at before it is
 * opened (stat follows symlinks: a loop is ELOOP), then opened without blocking (O_NONBLOCK:
 * should it have become a FIFO since, open returns at once) and looked at again through the
 * descriptor, so what is read is the regular file that was checked. At most `max` bytes.
 */
export async function readScenarioText(path: string, max: number, hint = ''): Promise<string | { error: string }> {
  const cannot = (why: string): { error: string } => ({ error: `cannot read the file: ${why}` });
  try {
    const before = await stat(path);
    const what = describeNonFile(before);
    if (what) return cannot(what);
    if (before.size > max) return { error: tooBig(before.size, max, hint) };
  } catch (err) {
    return cannot(describeFsError(err));
  }
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const now = await handle.stat();
    const what = describeNonFile(now);
    if (what) return cannot(what);
    if (now.size > max) return { error: tooBig(now.size, max, hint) };
    // Read to the end (a file may grow while it is read), one byte past the limit at most.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(now.size - total, 0) + 65536, max + 1 - total));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      chunks.push(chunk.subarray(0, bytesRead));
      total += bytesRead;
      if (total > max) return { error: tooBig(total, max, hint) };
    }
    return (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total)).toString('utf8');
  } catch (err) {
    return cannot(describeFsError(err));
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** A file system error in words (its code's meaning; the library's text only for the rare rest). */
export function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'ELOOP':
      return 'it is a symlink loop (too many levels of symbolic links)';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'ENAMETOOLONG':
      return 'the path is too long';
    case 'EAGAIN':
    case 'EWOULDBLOCK':
      return 'it would block (not a regular file)';
    case 'EIO':
      return 'an input/output error';
    case 'EMFILE':
    case 'ENFILE':
      return 'too many open files';
    default:
      return e?.code ? `error ${e.code}` : String(err);
  }
}
