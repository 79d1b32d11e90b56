/**
 * scenario/load/structure: the readers every check is written with, and the list they fill.
 *
 * Owns: `Checker`, which collects problems with their field paths (never throws) and sorts
 * them into the order their fields appear in the document; its structural readers (a mapping
 * with its unknown fields reported, a non-empty string, a list, a duration, a bounded integer);
 * what counts as a mapping (`isPlainObject`: an object whose prototype is Object's or null) and
 * as an absent field (`absent`: missing or null).
 * Does not own: what any field means (the section checkers), nor the leaf notations
 * (scenario/schema.ts).
 */
import { formatPath, type Diagnostic, type PathSegment } from '../diagnostics.ts';
import type { Nanos } from '../spec.ts';
import { OpaqueValue, closest, describeValue, isProblem, parseDuration } from '../schema.ts';

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
    if (fields) this.unknownFields(v, path, fields);
    return v;
  }

  unknownFields(o: Obj, path: Path, fields: readonly string[]): void {
    for (const k of Object.keys(o)) {
      if (fields.includes(k)) continue;
      if (k === '<<') {
        this.error([...path, k], 'YAML merge keys (<<) are not read in scenario files; write the fields out');
        continue;
      }
      const hint = closest(k, fields);
      this.error([...path, k], `unknown field ${k} (expected one of ${fields.join(', ')}${hint ? `; did you mean ${hint}?` : ''})`);
    }
  }

  /** A non-empty string, or undefined after reporting. */
  string(v: unknown, path: Path, what: string): string | undefined {
    if (typeof v === 'string' && v.trim() !== '') return v;
    this.error(path, typeof v === 'string' ? `${what} is empty` : `expected ${what} (a string), got ${describeValue(v)}`);
    return undefined;
  }

  /** A list, or undefined after reporting. */
  list(v: unknown, path: Path, what: string): unknown[] | undefined {
    if (Array.isArray(v)) return v;
    this.error(path, `expected ${what} (a list), got ${describeValue(v)}`);
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

  integer(v: unknown, path: Path, lo: number, hi: number, what: string): number | undefined {
    if (typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi) return v;
    const range = hi === Number.MAX_SAFE_INTEGER ? `an integer of at least ${lo}` : `an integer ${lo} to ${hi}`;
    this.error(path, `${typeof v === 'number' ? `${v} is not a valid ${what}` : `expected ${what}, got ${describeValue(v)}`} (expected ${range})`);
    return undefined;
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
    return this.problems
      .map((p, i) => ({ p, i, at: place(p.path) }))
      .sort((a, b) => a.at - b.at || a.i - b.i)
      .map(({ p }) => ({ file, path: formatPath(p.path), message: p.message }));
  }
}

/**
 * How deep a document may nest. A scenario nests at most 7 levels (timeline[i].authorize.rule.
 * from.cidr); the readers and the YAML parser recurse, and much deeper input would overflow
 * the stack (the YAML parser near 800 levels), so deeper documents are refused first.
 */
export const MAX_DEPTH = 100;

export const TOO_DEEP = `nested deeper than ${MAX_DEPTH} levels (a scenario nests at most 7)`;

/**
 * The first place, in document order, where a document nests deeper than MAX_DEPTH or refers
 * to itself (a builder's object can hold a cycle): without recursion, so any input is safe.
 */
export function nestingProblem(doc: unknown): { path: PathSegment[]; message: string } | undefined {
  interface Frame {
    readonly v: unknown;
    readonly depth: number;
    readonly key: PathSegment;
    readonly parent: Frame | null;
  }
  const pathOf = (f: Frame): PathSegment[] => {
    const path: PathSegment[] = [];
    for (let x: Frame | null = f; x !== null && x.parent !== null; x = x.parent) path.push(x.key);
    return path.reverse();
  };
  const stack: Frame[] = [{ v: doc, depth: 0, key: '', parent: null }];
  const branch: Frame[] = []; // the containers from the root to the current one
  const onBranch = new Set<unknown>();
  while (stack.length > 0) {
    const f = stack.pop()!;
    while (branch.length > 0 && branch[branch.length - 1].depth >= f.depth) onBranch.delete(branch.pop()!.v);
    const v = f.v;
    if (typeof v !== 'object' || v === null) continue;
    if (onBranch.has(v)) return { path: pathOf(f), message: 'the document refers to itself here (a cycle); a scenario is a tree' };
    if (f.depth >= MAX_DEPTH) return { path: pathOf(f), message: TOO_DEEP };
    onBranch.add(v);
    branch.push(f);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], depth: f.depth + 1, key: i, parent: f });
    } else {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ v: (v as Obj)[keys[i]], depth: f.depth + 1, key: keys[i], parent: f });
    }
  }
  return undefined;
}

/**
 * A document from code as plain data, or the first place (in document order) where it cannot
 * be: nested deeper than MAX_DEPTH, a cycle, or a value whose reading threw (a getter, a
 * Proxy). Each plain object and list is copied (own enumerable keys, each value read once,
 * into objects without a prototype, so a key `__proto__` stays a key), and any other object is
 * replaced by what describeValue says of it: the checks then read data that cannot change or
 * throw under them. Without recursion, so any input is safe.
 */
export function readDocument(doc: unknown): { ok: true; doc: unknown } | { ok: false; path: PathSegment[]; message: string } {
  interface Frame {
    readonly v: unknown;
    readonly depth: number;
    readonly key: PathSegment;
    readonly parent: Frame | null;
    readonly put: (x: unknown) => void;
  }
  const pathOf = (f: Frame): PathSegment[] => {
    const path: PathSegment[] = [];
    for (let x: Frame | null = f; x !== null && x.parent !== null; x = x.parent) path.push(x.key);
    return path.reverse();
  };
  let root: unknown;
  const stack: Frame[] = [{ v: doc, depth: 0, key: '', parent: null, put: (x) => (root = x) }];
  const branch: Frame[] = [];
  const onBranch = new Set<unknown>();
  while (stack.length > 0) {
    const f = stack.pop()!;
    while (branch.length > 0 && branch[branch.length - 1].depth >= f.depth) onBranch.delete(branch.pop()!.v);
    const v = f.v;
    if (typeof v !== 'object' || v === null) {
      f.put(v);
      continue;
    }
    if (onBranch.has(v)) return { ok: false, path: pathOf(f), message: 'the document refers to itself here (a cycle); a scenario is a tree' };
    if (f.depth >= MAX_DEPTH) return { ok: false, path: pathOf(f), message: TOO_DEEP };
    try {
      if (Array.isArray(v)) {
        const copy: unknown[] = new Array<unknown>(v.length);
        f.put(copy);
        onBranch.add(v);
        branch.push(f);
        for (let i = v.length - 1; i >= 0; i--) {
          const x: unknown = v[i];
          stack.push({ v: x, depth: f.depth + 1, key: i, parent: f, put: (y) => (copy[i] = y) });
        }
      } else if (isPlainObject(v)) {
        const copy = Object.create(null) as Obj;
        f.put(copy);
        onBranch.add(v);
        branch.push(f);
        const keys = Object.keys(v);
        const values = keys.map((k) => v[k]);
        for (let i = keys.length - 1; i >= 0; i--) {
          const k = keys[i];
          stack.push({ v: values[i], depth: f.depth + 1, key: k, parent: f, put: (y) => (copy[k] = y) });
        }
      } else {
        f.put(new OpaqueValue(describeValue(v)));
      }
    } catch (err) {
      const what = err instanceof Error ? `${err.name}: ${err.message.split('\n')[0]}` : String(err);
      return { ok: false, path: pathOf(f), message: `reading this value threw ${what} (a scenario document is plain data)` };
    }
  }
  return { ok: true, doc: root };
}
