/**
 * scenario/vpc/checker: the problem collector of the `platform: vpc` validator.
 *
 * Owns: collecting problems with their field paths, the small typed readers every section uses
 * (mapping with unknown-field check, string, list, boolean, integer, duration, IPv4, CIDR),
 * "unknown name" messages with suggestions, and sorting the diagnostics into file order, in
 * the classic loader's conventions (scenario/diagnostics.ts path notation, messages that say
 * what was found and what was expected).
 * Does not own: any rule of the format (the section modules beside this one).
 */
import { parseCidr, parseIp, type Cidr, type Ip } from '../../net/ipv4.ts';
import { formatPath, type Diagnostic, type PathSegment } from '../diagnostics.ts';
import { closest, describeValue, isProblem, listOf, parseDuration } from '../schema.ts';
import type { Nanos } from '../spec.ts';

export type Path = readonly PathSegment[];
export type Obj = Record<string, unknown>;

export function isPlainObject(v: unknown): v is Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A field that is absent: missing, or written with no value (`field:` in YAML, null). */
export function absent(v: unknown): v is null | undefined {
  return v === undefined || v === null;
}

/** Object entries of a mapping, or none when it is not one (the caller reported it). */
export function entriesOf(v: unknown): [string, unknown][] {
  return isPlainObject(v) ? Object.entries(v) : [];
}

export class Checker {
  readonly problems: { path: Path; message: string }[] = [];

  error(path: Path, message: string): void {
    this.problems.push({ path, message });
  }

  get count(): number {
    return this.problems.length;
  }

  /** A mapping (reporting what was found instead), with unknown fields reported. */
  mapping(v: unknown, path: Path, fields: readonly string[] | null, what: string): Obj | undefined {
    if (!isPlainObject(v)) {
      this.error(path, `expected ${what}, got ${describeValue(v)}`);
      return undefined;
    }
    if (fields) {
      for (const k of Object.keys(v)) {
        if (fields.includes(k)) continue;
        const hint = closest(k, fields);
        this.error([...path, k], `unknown field ${k} (expected one of ${fields.join(', ')}${hint ? `; did you mean ${hint}?` : ''})`);
      }
    }
    return v;
  }

  /** A non-empty string, or undefined after reporting. */
  string(v: unknown, path: Path, what: string): string | undefined {
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.error(path, typeof v === 'string' ? `${what} is empty` : `expected ${what} (a string), got ${describeValue(v)}`);
    return undefined;
  }

  /** A required field: reports `<field> is required (<hint>)` when absent. */
  required(o: Obj, field: string, path: Path, hint: string): unknown {
    if (absent(o[field])) {
      this.error([...path, field], `${field} is required (${hint})`);
      return undefined;
    }
    return o[field];
  }

  list(v: unknown, path: Path, what: string): unknown[] | undefined {
    if (Array.isArray(v)) return v;
    this.error(path, `expected ${what} (a list), got ${describeValue(v)}`);
    return undefined;
  }

  /** An optional boolean field with its default. */
  boolean(o: Obj, field: string, path: Path, fallback: boolean): boolean {
    const v = o[field];
    if (absent(v)) return fallback;
    if (typeof v === 'boolean') return v;
    this.error([...path, field], `expected true or false, got ${describeValue(v)}`);
    return fallback;
  }

  /** An optional free-text field (`label`, `description`). */
  text(o: Obj, field: string, path: Path): string | undefined {
    const v = o[field];
    if (absent(v)) return undefined;
    if (typeof v === 'string') return v;
    this.error([...path, field], `expected ${field === 'label' ? 'a label' : `a ${field}`} (a string), got ${describeValue(v)}`);
    return undefined;
  }

  integer(v: unknown, path: Path, lo: number, hi: number, what: string): number | undefined {
    if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v;
    const range = hi === Number.MAX_SAFE_INTEGER ? `an integer of at least ${lo}` : `an integer ${lo} to ${hi}`;
    this.error(path, `${typeof v === 'number' ? `${v} is not a valid ${what}` : `expected ${what}, got ${describeValue(v)}`} (expected ${range})`);
    return undefined;
  }

  duration(v: unknown, path: Path, min: 'zero' | 'positive' = 'zero'): Nanos | undefined {
    const ns = parseDuration(v);
    if (isProblem(ns)) {
      this.error(path, ns.error);
      return undefined;
    }
    if (min === 'positive' && ns === 0) {
      this.error(path, `${describeValue(v)} must be longer than 0`);
      return undefined;
    }
    return ns;
  }

  ip(v: unknown, path: Path, what: string): Ip | undefined {
    if (typeof v !== 'string') {
      this.error(path, `expected ${what} (an IPv4 address), got ${describeValue(v)}`);
      return undefined;
    }
    const ip = parseIp(v.trim());
    if (typeof ip !== 'number') {
      this.error(path, ip.error);
      return undefined;
    }
    return ip;
  }

  cidr(v: unknown, path: Path, what = 'a CIDR block'): Cidr | undefined {
    if (typeof v !== 'string') {
      this.error(path, `expected ${what} (a.b.c.d/n), got ${describeValue(v)}`);
      return undefined;
    }
    const cidr = parseCidr(v.trim());
    if ('error' in cidr) {
      this.error(path, cidr.error);
      return undefined;
    }
    return cidr;
  }

  /** `unknown <what> "<name>" (known: …; did you mean …?)`. */
  unknown(path: Path, what: string, name: string, known: Iterable<string>): void {
    const all = [...known];
    const hint = closest(name, all);
    this.error(path, `unknown ${what} "${name}" (known: ${listOf(all) || 'none'}${hint ? `; did you mean ${hint}?` : ''})`);
  }

  /** Diagnostics in the order their fields appear in the document (stable for equal places). */
  sorted(doc: unknown, file: string): Diagnostic[] {
    if (this.problems.length === 0) return [];
    const order = new Map<string, number>();
    let n = 0;
    const walk = (v: unknown, path: PathSegment[]): void => {
      order.set(formatPath(path), n++);
      if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
      else if (isPlainObject(v)) for (const k of Object.keys(v)) walk(v[k], [...path, k]);
    };
    walk(doc, []);
    const place = (path: Path): number => {
      for (let len = path.length; len >= 0; len--) {
        const hit = order.get(formatPath(path.slice(0, len)));
        if (hit !== undefined) return hit;
      }
      return 0;
    };
    const seen = new Set<string>();
    return this.problems
      .map((p, i) => ({ p, i, at: place(p.path) }))
      .sort((a, b) => a.at - b.at || a.i - b.i)
      .map(({ p }) => ({ file, path: formatPath(p.path), message: p.message }))
      .filter((d) => {
        const key = `${d.path}\u0000${d.message}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
  }
}
