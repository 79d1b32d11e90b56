/**
 * scenario/diagnostics: what is wrong with a scenario input, said so a person can fix it.
 *
 * Owns: the diagnostic record (file, field path, message), its one-line rendering
 * (`<file>: <path>: <message>`), the field-path notation (`groups.A.ingress[1].ports`), and the
 * error thrown when a caller wants an exception instead of a list (the builder's `build()`), and
 * how user-given text shows in a message (`showText`: control and bidi characters escaped).
 * Does not own: finding problems (scenario/load.ts), printing them or choosing exit codes (cli/).
 */

/** One problem in a scenario input. */
export interface Diagnostic {
  /** The file as the caller named it (or `<builder>` for a document built in code). */
  readonly file: string;
  /**
   * Where in the document: a field path such as `groups.A.ingress[1].ports`, or
   * `line 3, column 5` for a syntax error; empty when the problem is the whole file.
   */
  readonly path: string;
  /** What is wrong and, where it helps, what is expected. */
  readonly message: string;
}

/** `<file>: <path>: <message>`, the path left out when empty; the file name shown escaped. */
export function formatDiagnostic(d: Diagnostic): string {
  const file = showText(d.file);
  return d.path ? `${file}: ${d.path}: ${d.message}` : `${file}: ${d.message}`;
}

/**
 * Characters that would change how a message reads on a terminal or in an editor rather than
 * show: C0 and C1 controls (a newline, an escape sequence), format characters (bidi overrides
 * and isolates such as U+202E, zero-width ones), line and paragraph separators, lone surrogates.
 */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|\p{Cs}/gu;

/**
 * User-given text (a name, a key, a value) as a message may show it: every hidden character
 * written as `\uXXXX`, the rest as it is. Idempotent: its output holds no hidden character.
 * Every diagnostic the loader returns passes through it (message and path), so a name such as
 * "web\u202e1" can never reorder or hide the text around it.
 */
export function showText(text: string): string {
  return text.replace(HIDDEN, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A diagnostic with its path and message passed through showText. */
export function shown(d: Diagnostic): Diagnostic {
  const path = showText(d.path);
  const message = showText(d.message);
  return path === d.path && message === d.message ? d : { ...d, path, message };
}

/** Thrown by APIs that cannot return a diagnostic list; carries every problem found. */
export class ScenarioInputError extends Error {
  readonly diagnostics: Diagnostic[];

  constructor(diagnostics: readonly Diagnostic[]) {
    const list = [...diagnostics];
    const first = list[0];
    const head = first ? formatDiagnostic(first) : 'invalid scenario input';
    const more = list.length - 1;
    super(more > 0 ? `${head} (and ${more} more problem${more === 1 ? '' : 's'})` : head);
    this.name = 'ScenarioInputError';
    this.diagnostics = list;
  }
}

/** One step of a field path: a mapping key or a list index. */
export type PathSegment = string | number;

const PLAIN_KEY = /^[A-Za-z0-9_][A-Za-z0-9_\-]*$/;

/**
 * Renders a field path: keys joined by dots, list indexes in brackets
 * (`timeline[3].connect.to`). A key that would read ambiguously (it holds a dot, a bracket,
 * a space, or is empty) is written as a quoted index: `groups["web.tier"]`.
 */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${showText(JSON.stringify(seg))}]`;
  }
  return out;
}
