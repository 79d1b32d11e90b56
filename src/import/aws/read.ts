/**
 * import/aws/read: the files of an import folder, read as describe-* responses.
 *
 * Owns: finding every `.json` under the folder (recursively, sorted by relative path, links
 * followed once), reading and parsing each (a syntax error is a diagnostic with its line and
 * column), unwrapping a boto/placebo `{status_code, data}` recording, and what the folders say:
 * `accounts/<id>/` an account, a `<region>/` folder (Batfish, CloudMapper) a region.
 * Does not own: what the keys mean (the describe-* modules) or dispatching them (dispatch.ts).
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse as parseTolerant, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { Diagnostic } from '../../scenario/diagnostics.ts';
import { byText, isRegionName } from './common.ts';
import type { FileContext } from './context.ts';

/** The `.json` files under `dir`, as `dir` joined with each relative path, in sorted order. */
export function jsonFiles(dir: string): { files: string[]; problems: Diagnostic[] } {
  const files: string[] = [];
  const problems: Diagnostic[] = [];
  const seen = new Set<string>();
  const walk = (folder: string): void => {
    let real: string;
    let names: string[];
    try {
      real = realpathSync(folder);
      names = readdirSync(folder);
    } catch (e) {
      problems.push({ file: folder, path: '', message: `cannot read the folder: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
      return;
    }
    if (seen.has(real)) return;
    seen.add(real);
    for (const name of names.sort(byText)) {
      const path = join(folder, name);
      let isDir = false;
      try {
        isDir = statSync(path).isDirectory();
      } catch {
        // A dangling link: reading it below says why, if it is a .json.
      }
      if (isDir) walk(path);
      else if (name.toLowerCase().endsWith('.json')) files.push(path);
    }
  };
  walk(dir);
  const rel = (f: string): string => relative(dir, f).split(sep).join('/');
  return { files: files.sort((a, b) => byText(rel(a), rel(b))), problems };
}

/** The account and region the folders between `dir` and `file` give (Batfish's `aws_configs/[accounts/<id>/]<region>/`). */
export function layoutOf(dir: string, file: string): { account?: string; region?: string } {
  const parts = relative(dir, file).split(sep).slice(0, -1);
  let account: string | undefined;
  let region: string | undefined;
  parts.forEach((p, i) => {
    if (p === 'accounts' && i + 1 < parts.length && /^\d{12}$/.test(parts[i + 1])) account = parts[i + 1];
    if (isRegionName(p)) region = p;
  });
  return { ...(account !== undefined && { account }), ...(region !== undefined && { region }) };
}

export type ReadResult =
  | { ok: true; body: unknown; at: Omit<FileContext, 'region' | 'account'> }
  | { ok: false; diagnostic: Diagnostic };

/** Reads and parses one file; unwraps `{status_code, data}`. */
export function readResponse(file: string): ReadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return { ok: false, diagnostic: { file, path: '', message: `cannot read the file: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` } };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return { ok: false, diagnostic: { file, ...syntaxError(text, (e as Error).message) } };
  }
  if (isObject(body) && 'status_code' in body && 'data' in body && isObject(body.data)) return { ok: true, body: body.data, at: { file, prefix: 'data.' } };
  return { ok: true, body, at: { file, prefix: '' } };
}

/** Where and what the first syntax error is, as `line L, column C` (1-based). */
function syntaxError(text: string, fallback: string): { path: string; message: string } {
  const errors: ParseError[] = [];
  parseTolerant(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = errors[0];
  if (first === undefined) return { path: '', message: `invalid JSON: ${fallback}` };
  const before = text.slice(0, first.offset);
  const line = before.split('\n').length;
  const column = first.offset - before.lastIndexOf('\n');
  return { path: `line ${line}, column ${column}`, message: `invalid JSON: ${describeCode(printParseErrorCode(first.error))}` };
}

/** jsonc-parser's `CloseBraceExpected` → `close brace expected`. */
function describeCode(code: string): string {
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
