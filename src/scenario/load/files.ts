/**
 * scenario/load/files: a scenario file read from disk, whatever the path names.
 *
 * Owns: which extensions are scenario files, refusing what is not a regular file (a
 * directory, a FIFO, a device, a socket, a symlink loop) before opening it, the size limit,
 * read errors in words, and handing the text (or a builder script) on.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Diagnostic } from '../diagnostics.ts';
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
 * Reads a scenario file (`.yaml`, `.yml`, `.json`, or a `.ts` builder script whose default
 * export is a builder or a plain document) and validates it. Never throws for bad input.
 */
export async function loadScenarioFile(path: string): Promise<LoadResult> {
  const file = path;
  const fail = (message: string, at = ''): LoadResult => ({ ok: false, file, diagnostics: [{ file, path: at, message }] });
  const ext = extname(path).toLowerCase();
  if (!SCENARIO_EXTENSIONS.includes(ext)) {
    return fail(`unknown file type ${ext ? `"${ext}"` : '(no extension)'} (expected .yaml, .yml, .json or .ts)`);
  }
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return fail(`cannot read the file: ${describeFsError(err)}`);
  }
  let result: ValidationResult;
  if (ext === '.ts') {
    const doc = await importBuilderScript(path, file);
    if (!doc.ok) return { ok: false, file, diagnostics: doc.diagnostics };
    result = validateScenario(doc.doc, file);
  } else {
    result = loadScenarioText(text, file, ext === '.json' ? 'json' : 'yaml');
  }
  return result.ok ? { ok: true, spec: result.spec, file } : { ok: false, diagnostics: result.diagnostics, file };
}

function describeFsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e?.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return e?.message ?? String(err);
  }
}
