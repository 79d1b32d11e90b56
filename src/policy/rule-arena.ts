/**
 * policy/rule-arena: flattened groups laid out in one shared array, scanned by offset.
 *
 * Owns: `RuleArena` — appending a group's FlatRules (group references as numbers), numbering
 * group names, and the arena's scans (match, firstSenderGroupRule, and their *Numbered twins).
 * Does not own: which groups are laid out where (fabric/fast/rule-links.ts), the scans
 * themselves (policy/flat.ts).
 */
import { STRIDE, scanAdmits, scanNumbered, type FlatRules } from './flat.ts';

/**
 * Flattened groups (FlatRules) laid out one after another in one shared Int32Array, so that
 * whoever keeps a group's offset (the fabric keeps its hosts' groups' offsets in its per-host
 * row of numbers) scans its rules without reading an object: reaching them through a
 * `Receiver` costs a chain of dependent loads (the receiver, its array of groups, each
 * `FlatRules`, its `Int32Array`, that array's buffer), each a cache miss in a large world
 * (docs/performance.md, seventh round). At a group's offset: the number of int32s that follow,
 * then its rules as in FlatRules.data, except that a group reference is the referenced group's
 * number here (`names`). A receiver's answer is its groups' answers in its order, as
 * matchFlat and firstSenderGroupRule give them (property tests compare them). Append-only;
 * `clear` starts it over (the caller adds again what it still uses, and forgets every offset).
 */
export class RuleArena {
  private data = new Int32Array(4096);
  private used = 0;
  /** Group names by the number a reference carries here. */
  private readonly names: string[] = [];
  private readonly numbers = new Map<string, number>();

  /** Int32s in use. */
  get size(): number {
    return this.used;
  }

  /** Int32s a group takes. */
  static sizeOf(flat: FlatRules): number {
    return 1 + flat.data.length;
  }

  /** Lays out one group's rules; returns their offset. */
  add(flat: FlatRules): number {
    const d = flat.data;
    const need = 1 + d.length;
    if (this.used + need > this.data.length) {
      const grown = new Int32Array(Math.max(this.data.length * 2, this.used + need));
      grown.set(this.data.subarray(0, this.used));
      this.data = grown;
    }
    const a = this.data;
    const at = this.used;
    a[at] = d.length;
    a.set(d, at + 1);
    for (let i = 0; i < d.length; i += STRIDE) {
      const ref = d[i + 5];
      if (ref >= 0) a[at + 1 + i + 5] = this.numberOf(flat.refs[ref]);
    }
    this.used = at + need;
    return at;
  }

  /** Forgets every layout (offsets handed out so far are no longer valid). */
  clear(): void {
    this.data = new Int32Array(4096);
    this.used = 0;
  }

  /**
   * The number a group's name has here (given on first ask, never changed, `clear` included):
   * what a reference to it carries, and what a sender's groups are compared with by the
   * *Numbered scans (a sender of up to two groups: its numbers in its row, no strings read).
   */
  numberOf(name: string): number {
    let n = this.numbers.get(name);
    if (n === undefined) {
      n = this.names.length;
      this.names.push(name);
      this.numbers.set(name, n);
    }
    return n;
  }

  /** Rules of the group at `at`. */
  count(at: number): number {
    return this.data[at] / STRIDE;
  }

  /** matchFlat's answer from the group at `at`, the `g`-th of its receiver, or -1. */
  match(at: number, g: number, protocol: number, key: number, source: number, senderGroups: readonly string[] | null): number {
    const a = this.data;
    return scanAdmits(a, at + 1, at + 1 + a[at], g, protocol, key, source, senderGroups, this.names, true);
  }

  /** firstSenderGroupRule's answer from the group at `at`, the `g`-th of its receiver, or -1. */
  firstSenderGroupRule(at: number, g: number, protocol: number, key: number, senderGroups: readonly string[]): number {
    const a = this.data;
    return scanAdmits(a, at + 1, at + 1 + a[at], g, protocol, key, 0, senderGroups, this.names, false);
  }

  /** match() for a sender whose `count` (0-2) groups are numbered `g0`, `g1` here (numberOf). */
  matchNumbered(at: number, g: number, protocol: number, key: number, source: number, count: number, g0: number, g1: number): number {
    const a = this.data;
    return scanNumbered(a, at + 1, at + 1 + a[at], g, protocol, key, source, count, g0, g1, true);
  }

  /** firstSenderGroupRule() for a sender whose `count` (0-2) groups are numbered `g0`, `g1` here. */
  firstSenderGroupRuleNumbered(at: number, g: number, protocol: number, key: number, count: number, g0: number, g1: number): number {
    const a = this.data;
    return scanNumbered(a, at + 1, at + 1 + a[at], g, protocol, key, 0, count, g0, g1, false);
  }
}
