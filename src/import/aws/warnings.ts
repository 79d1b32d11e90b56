/**
 * import/aws/warnings: what an import could not carry into the scenario, said once per kind.
 *
 * Owns: the warning record (file, JSON path, key, message, how often), collecting them with
 * one warning per (file, key) — the first occurrence's path, and a count of the rest — and
 * their one-line rendering, `warning: <file>: <json path>: <message>`.
 * Does not own: deciding what deserves a warning (each describe-* module does) or printing.
 */

/** One kind of input an import did not model, in one file. */
export interface ImportWarning {
  /** The file as the caller named it. */
  readonly file: string;
  /** The JSON path of the first occurrence (`Reservations[0].Instances[1].State.Name`), or '' for the whole file. */
  readonly path: string;
  /**
   * What kind of input this is, stable for tests and for counting: an unmodelled top-level key
   * (`VpcEndpoints`), a field (`Ipv6Ranges`), or a situation (`pending instance`).
   */
  readonly key: string;
  /** What was not carried over and what the scenario does instead. */
  readonly message: string;
  /** Occurrences of this key in this file (1 or more). */
  readonly count: number;
}

/** Collects warnings; one per (file, key), in the order they were first met. */
export class WarningCollector {
  private readonly byKey = new Map<string, { file: string; path: string; key: string; message: string; count: number }>();

  add(file: string, path: string, key: string, message: string): void {
    const id = `${file}\u0000${key}`;
    const seen = this.byKey.get(id);
    if (seen) seen.count++;
    else this.byKey.set(id, { file, path, key, message, count: 1 });
  }

  /** Every warning, grouped by file (files in sorted order), first-met order within a file. */
  list(): ImportWarning[] {
    const all = [...this.byKey.values()];
    const files = [...new Set(all.map((w) => w.file))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return files.flatMap((f) => all.filter((w) => w.file === f)).map((w) => ({ ...w }));
  }
}

/** `warning: <file>: <json path>: <message> (and N more in this file)`. */
export function formatWarning(w: ImportWarning): string {
  const where = w.path ? `${w.file}: ${w.path}` : w.file;
  const more = w.count > 1 ? ` (and ${w.count - 1} more like it in this file)` : '';
  return `warning: ${where}: ${w.message}${more}`;
}
