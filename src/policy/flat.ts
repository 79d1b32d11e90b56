/**
 * policy/flat: one group's rules flattened into numbers, and the plain scans over them.
 *
 * Owns: `FlatRules` (a group's ingress rules as an Int32Array), matchFlat and
 * firstSenderGroupRule over a receiver's groups, and the one scan of a group by sender group
 * names (scanAdmits) with its twin for senders whose groups are numbers (scanNumbered), which
 * the rule arena (policy/rule-arena.ts) scans with too.
 * Does not own: the meaning of a rule (policy/match.ts; the property tests compare them).
 */
import { ALL_PORTS, ICMP, TCP, UDP, icmpKeyRange, type PortRange } from '../net/protocol.ts';
import { maskOf } from '../net/ipv4.ts';
import type { SecurityGroup } from '../model/types.ts';

/** Int32s per rule in FlatRules.data: protocol (0: all), key from, key to, mask, base, ref. */
export const STRIDE = 6;

/**
 * One group's ingress rules, in order, flattened into one Int32Array: per rule its protocol
 * number (0 for `all`), the key range it covers (ports, or icmp type<<8|code), and its source:
 * a CIDR as (mask, base) with ref -1, or the referenced group as an index into `refs`. A scan
 * of these reads a few cache lines per group; a scan of the rule objects follows four pointers
 * per rule, and in a large world (10^5 rules) each of them is a cache miss. Same meaning as
 * policy/match.ts (the property tests compare them).
 */
export class FlatRules {
  private constructor(
    readonly data: Int32Array,
    /** Referenced group names, by the ref a rule carries. */
    readonly refs: readonly string[],
  ) {}

  /** Number of rules. */
  get count(): number {
    return this.data.length / STRIDE;
  }

  static of(group: SecurityGroup): FlatRules {
    const rules = group.ingress;
    const data = new Int32Array(rules.length * STRIDE);
    const refs: string[] = [];
    for (let r = 0; r < rules.length; r++) {
      const rule = rules[r];
      const i = r * STRIDE;
      let range: PortRange = ALL_PORTS;
      if (rule.protocol === 'icmp') range = icmpKeyRange(rule.icmp ?? { type: -1, code: -1 });
      else if (rule.protocol !== 'all') range = rule.ports ?? ALL_PORTS;
      data[i] = rule.protocol === 'all' ? 0 : rule.protocol === 'tcp' ? TCP : rule.protocol === 'udp' ? UDP : ICMP;
      data[i + 1] = range.from;
      data[i + 2] = rule.protocol === 'all' ? 0x7fffffff : range.to;
      if (rule.source.kind === 'cidr') {
        // cidrContains: (ip & mask) >>> 0 === base, compared here as int32s.
        data[i + 3] = maskOf(rule.source.cidr.prefix) | 0;
        data[i + 4] = rule.source.cidr.base | 0;
        data[i + 5] = -1;
      } else {
        data[i + 5] = refs.length;
        refs.push(rule.source.group);
      }
    }
    return new FlatRules(data, refs);
  }
}

/** Whether the rule at `i` of flattened rules `d` covers the traffic (policy/match.ts coversTraffic). */
function coversFlat(d: Int32Array, i: number, protocol: number, key: number): boolean {
  const p = d[i];
  return (p === 0 || p === protocol) && key >= d[i + 1] && key <= d[i + 2];
}

/**
 * The canonical admission by a plain scan of flattened groups (`flats[g]` is
 * FlatRules.of(groups[g])): the same answer as CompiledReceiver.match, without an index and
 * without reading a rule object: the packed (group position, rule index) of the first rule, in
 * group then rule order, that covers the packet, or -1. `senderGroups` as for match: null
 * unless the packet came over the private path from a running instance.
 */
export function matchFlat(flats: readonly FlatRules[], protocol: number, key: number, source: number, senderGroups: readonly string[] | null): number {
  for (let g = 0; g < flats.length; g++) {
    const d = flats[g].data;
    const p = scanAdmits(d, 0, d.length, g, protocol, key, source, senderGroups, flats[g].refs, true);
    if (p >= 0) return p;
  }
  return -1;
}

/**
 * One group's rules, flattened, at d[start, end): the packed (g, rule index) of the first that
 * covers the packet, or -1. A group reference is resolved through `refs` (FlatRules.refs, or
 * RuleArena's numbering). `cidrs` false: CIDR rules never match, so the answer is the first
 * group rule naming one of `senderGroups` (firstSenderGroupRule: the rule a public-path packet
 * lost). The one scan of a group by group names: matchFlat, firstSenderGroupRule and
 * RuleArena's match and firstSenderGroupRule all use it (scanNumbered is its twin for senders
 * whose groups are numbers).
 */
export function scanAdmits(d: Int32Array, start: number, end: number, g: number, protocol: number, key: number, source: number, senderGroups: readonly string[] | null, refs: readonly string[], cidrs: boolean): number {
  for (let i = start; i < end; i += STRIDE) {
    if (!coversFlat(d, i, protocol, key)) continue;
    const ref = d[i + 5];
    if (ref < 0 ? cidrs && (source & d[i + 3]) === d[i + 4] : senderGroups !== null && holds(senderGroups, refs[ref])) {
      return g * 0x1000000 + (i - start) / STRIDE;
    }
  }
  return -1;
}

/**
 * Whether the sender's group keys hold `key`: `keys.includes(key)` as a loop the compiler
 * inlines (includes was a builtin call per group-referencing rule scanned: 3% of W3's loop).
 */
function holds(keys: readonly string[], key: string): boolean {
  for (let i = 0; i < keys.length; i++) if (keys[i] === key) return true;
  return false;
}

/**
 * The first group-referencing rule, in group then rule order, that covers the traffic and names
 * a group in `senderGroups` (packed as matchFlat's answer), or -1: the rule that would admit a
 * packet had it kept its sender's group identity (policy/evaluate.ts's SG_REFERENCES_NOT_PRESERVED).
 */
export function firstSenderGroupRule(flats: readonly FlatRules[], protocol: number, key: number, senderGroups: readonly string[]): number {
  for (let g = 0; g < flats.length; g++) {
    const refs = flats[g].refs;
    if (refs.length === 0) continue;
    const d = flats[g].data;
    const p = scanAdmits(d, 0, d.length, g, protocol, key, 0, senderGroups, refs, false);
    if (p >= 0) return p;
  }
  return -1;
}

/**
 * Whether a sender whose groups are numbers in RuleArena's numbering (`count` of them, 0 to 2:
 * `g0`, `g1`) holds the group numbered `ref`.
 */
function holdsNumbered(ref: number, count: number, g0: number, g1: number): boolean {
  return count > 0 && (ref === g0 || (count > 1 && ref === g1));
}

/**
 * scanAdmits for a sender whose groups are numbers (holdsNumbered), over RuleArena's data: the
 * arena's scan of the settled path (the sender's numbers are in its row: no string is read).
 */
export function scanNumbered(d: Int32Array, start: number, end: number, g: number, protocol: number, key: number, source: number, count: number, g0: number, g1: number, cidrs: boolean): number {
  for (let i = start; i < end; i += STRIDE) {
    if (!coversFlat(d, i, protocol, key)) continue;
    const ref = d[i + 5];
    if (ref < 0 ? cidrs && (source & d[i + 3]) === d[i + 4] : holdsNumbered(ref, count, g0, g1)) return g * 0x1000000 + (i - start) / STRIDE;
  }
  return -1;
}
