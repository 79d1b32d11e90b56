/**
 * scenario/vpc/checker: the problem collector of the `platform: vpc` validator.
 *
 * Owns: the readers the VPC format adds to the classic loader's Checker (scenario/load/
 * structure.ts: problems with their paths, mapping with unknown fields, string, list, integer,
 * duration, document order), which it extends: required fields, booleans, free text, IPv4,
 * CIDR, "unknown name" messages with suggestions, and each diagnostic said once.
 * Does not own: any rule of the format (the section modules beside this one).
 */
import { parseCidr, parseIp, type Cidr, type Ip } from '../../net/ipv4.ts';
import type { Diagnostic } from '../diagnostics.ts';
import { Checker as StructureChecker, absent, isPlainObject, type Obj, type Path } from '../load/structure.ts';
import { closest, describeValue, listOf } from '../schema.ts';

// One notion of a mapping, an absent field and a path for both platforms: the classic loader's.
export { absent, isPlainObject, type Obj, type Path };

/** Object entries of a mapping, or none when it is not one (the caller reported it). */
export function entriesOf(v: unknown): [string, unknown][] {
  return isPlainObject(v) ? Object.entries(v) : [];
}

/**
 * The classic loader's Checker (problems with paths, mapping with unknown fields, string, list,
 * integer, duration, document order), with the readers the VPC format adds.
 */
export class Checker extends StructureChecker {
  /** A required field: reports `<field> is required (<hint>)` when absent. */
  required(o: Obj, field: string, path: Path, hint: string): unknown {
    if (absent(o[field])) {
      this.error([...path, field], `${field} is required (${hint})`);
      return undefined;
    }
    return o[field];
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

  /**
   * Diagnostics in document order, as the classic loader sorts them, each said once: the VPC
   * checks may meet one problem from two sections (a name both defined and referenced).
   */
  override sorted(doc: unknown, file: string): Diagnostic[] {
    const seen = new Set<string>();
    return super.sorted(doc, file).filter((d) => {
      const key = `${d.path}\u0000${d.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
}
