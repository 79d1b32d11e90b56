/**
 * policy/segments: the segment tables the compiled index is made of (policy/index.ts).
 *
 * Owns: `SegmentTable` (elementary intervals of the 16-bit match key, port or icmp
 * type<<8|code, each with the lowest rule rank covering it), tables packed into one Int32Array
 * (packTables) and the binary search over a packed one (searchPacked); the bucket item every
 * index is built from (`Item`).
 * Does not own: where the tables hang (policy/source-trie.ts, policy/compiled.ts).
 */
import type { PortRange } from '../net/protocol.ts';

/** No rule: the rank a segment no rule covers holds. */
export const NONE = 0x7fffffff;

/** Elementary intervals of the key space with the lowest rule index covering each. */
export class SegmentTable {
  constructor(
    readonly starts: Int32Array,
    readonly best: Int32Array,
  ) {}

  /** Lowest rule index covering `key`, or NONE. */
  lookup(key: number): number {
    const starts = this.starts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= key) lo = mid;
      else hi = mid - 1;
    }
    return this.best[lo];
  }

  static build(items: readonly { range: PortRange; rule: number }[]): SegmentTable {
    const points = new Set<number>([0]);
    for (const it of items) {
      points.add(it.range.from);
      if (it.range.to < 65535) points.add(it.range.to + 1);
    }
    const starts = Int32Array.from([...points].sort((a, b) => a - b));
    const best = new Int32Array(starts.length).fill(NONE);
    // Paint segments in rule order; each segment takes the first (lowest) rule that covers it.
    // `next[i]` skips painted segments (path-halving union-find), so building is near-linear.
    const next = Int32Array.from({ length: starts.length + 1 }, (_, i) => i);
    const find = (i: number): number => {
      while (next[i] !== i) {
        next[i] = next[next[i]];
        i = next[i];
      }
      return i;
    };
    const sorted = [...items].sort((a, b) => a.rule - b.rule);
    for (const it of sorted) {
      const first = segmentOf(starts, it.range.from);
      const last = segmentOf(starts, it.range.to);
      for (let i = find(first); i <= last; i = find(i)) {
        best[i] = it.rule;
        next[i] = i + 1;
      }
    }
    return new SegmentTable(starts, best);
  }
}

function segmentOf(starts: Int32Array, key: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= key) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** A rule bucket item: the rule's rank among all the receiver's rules, and its key range. */
export interface Item {
  readonly range: PortRange;
  readonly rule: number;
}

/**
 * Segment tables packed into one Int32Array, each as its segment count n then n (start key,
 * best rule) pairs; returns the arena and where each table starts in it. Lookups then follow
 * no object (searchPacked).
 */
export function packTables(tables: readonly SegmentTable[]): { seg: Int32Array<ArrayBuffer>; at: number[] } {
  let size = 0;
  for (const t of tables) size += 1 + 2 * t.starts.length;
  const seg = new Int32Array(size);
  const at: number[] = [];
  let i = 0;
  for (const t of tables) {
    at.push(i);
    seg[i++] = t.starts.length;
    for (let k = 0; k < t.starts.length; k++) {
      seg[i++] = t.starts[k];
      seg[i++] = t.best[k];
    }
  }
  return { seg, at };
}

/** SegmentTable.lookup on the table packed at `at` in `seg` (packTables). */
export function searchPacked(seg: Int32Array, at: number, key: number): number {
  let lo = 0;
  let hi = seg[at] - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (seg[at + 1 + 2 * mid] <= key) lo = mid;
    else hi = mid - 1;
  }
  return seg[at + 2 + 2 * lo];
}
