/**
 * scenario/diagnostics: what is wrong with a scenario input, said so a person can fix it.
 *
 * Owns: the diagnostic record (file, field path, message), its one-line rendering
 * (`<file>: <path>: <message>`), the field-path notation (`groups.A.ingress[1].ports`), and the
 * error thrown when a caller wants an exception instead of a list (the builder's `build()`).
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

/** `<file>: <path>: <message>`, the path left out when empty. */
export function formatDiagnostic(d: Diagnostic): string {
  return d.path ? `${d.file}: ${d.path}: ${d.message}` : `${d.file}: ${d.message}`;
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
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}
