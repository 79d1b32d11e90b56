/**
 * policy/compiled: all the groups of one receiver compiled into one index per protocol.
 *
 * Owns: `CompiledReceiver` — the union of a receiver's rules ranked by (group position, rule
 * index), CIDR rules in a SourceTrie, group rules in buckets by referenced group (a packed
 * segment table each); a lookup answers the canonical admitting rule without scanning. Cost:
 * (≤ 32 trie steps + one search) + (sender's groups × one search), whatever the number of rules.
 * Does not own: the meaning of a rule (policy/match.ts is the definition this must agree with).
 */
import { ALL_PORTS, ICMP, TCP, UDP, icmpKeyRange } from '../net/protocol.ts';
import type { Rule, SecurityGroup } from '../model/types.ts';
import { NONE, SegmentTable, packTables, searchPacked, type Item } from './segments.ts';
import { SourceTrie } from './source-trie.ts';

class ReceiverProtocolIndex {
  constructor(
    readonly trie: SourceTrie | null,
    /** Where each referenced group's segment table starts in `refSeg` (packTables). */
    readonly groupRefs: ReadonlyMap<string, number> | null,
    private readonly refSeg: Int32Array,
  ) {}

  lookup(key: number, source: number, senderGroups: readonly string[] | null): number {
    let best = this.trie === null ? NONE : this.trie.lookup(source, key);
    const refs = this.groupRefs;
    if (senderGroups !== null && refs !== null) {
      for (let i = 0; i < senderGroups.length; i++) {
        const at = refs.get(senderGroups[i]);
        if (at !== undefined) {
          const r = searchPacked(this.refSeg, at, key);
          if (r < best) best = r;
        }
      }
    }
    return best;
  }
}

/**
 * All the security groups of one receiver, compiled together: the union of their rules in one
 * index per protocol. Rules are ranked by (group position, rule index), so the lowest rank that
 * matches is the canonical rule to name (policy/evaluate.ts). Instances with the same groups
 * share one CompiledReceiver.
 */
export class CompiledReceiver {
  private constructor(
    readonly groups: readonly SecurityGroup[],
    /** Packed admission (groupPosition * 2^24 + ruleIndex) of each rank. */
    private readonly packedOfRank: Float64Array,
    private readonly tcp: ReceiverProtocolIndex,
    private readonly udp: ReceiverProtocolIndex,
    private readonly icmp: ReceiverProtocolIndex,
  ) {}

  /** Packed admission of the canonical admitting rule, or -1. */
  match(protocol: number, key: number, source: number, senderGroups: readonly string[] | null): number {
    const idx = protocol === TCP ? this.tcp : protocol === UDP ? this.udp : protocol === ICMP ? this.icmp : null;
    if (idx === null) return -1;
    const r = idx.lookup(key, source, senderGroups);
    return r === NONE ? -1 : this.packedOfRank[r];
  }

  static compile(groups: readonly SecurityGroup[]): CompiledReceiver {
    const total = groups.reduce((n, g) => n + g.ingress.length, 0);
    const packedOfRank = new Float64Array(total);
    const per = { tcp: [] as [Rule, Item][], udp: [] as [Rule, Item][], icmp: [] as [Rule, Item][] };
    let rank = 0;
    groups.forEach((group, g) => {
      group.ingress.forEach((rule, index) => {
        packedOfRank[rank] = g * 0x1000000 + index;
        if (rule.protocol === 'all') {
          for (const p of ['tcp', 'udp', 'icmp'] as const) per[p].push([rule, { range: ALL_PORTS, rule: rank }]);
        } else if (rule.protocol === 'icmp') {
          per.icmp.push([rule, { range: icmpKeyRange(rule.icmp ?? { type: -1, code: -1 }), rule: rank }]);
        } else {
          per[rule.protocol].push([rule, { range: rule.ports ?? ALL_PORTS, rule: rank }]);
        }
        rank++;
      });
    });
    return new CompiledReceiver(groups, packedOfRank, buildReceiverProtocol(per.tcp), buildReceiverProtocol(per.udp), buildReceiverProtocol(per.icmp));
  }
}

function buildReceiverProtocol(entries: readonly [Rule, Item][]): ReceiverProtocolIndex {
  let trie: SourceTrie | null = null;
  const byGroup = new Map<string, Item[]>();
  for (const [rule, item] of entries) {
    if (rule.source.kind === 'cidr') {
      trie ??= new SourceTrie();
      trie.add(rule.source.cidr.base, rule.source.cidr.prefix, item);
    } else {
      let list = byGroup.get(rule.source.group);
      if (!list) byGroup.set(rule.source.group, (list = []));
      list.push(item);
    }
  }
  trie?.seal();
  const names = [...byGroup.keys()];
  const { seg, at } = packTables(names.map((g) => SegmentTable.build(byGroup.get(g)!)));
  const refs = byGroup.size === 0 ? null : new Map(names.map((g, k) => [g, at[k]]));
  return new ReceiverProtocolIndex(trie, refs, seg);
}
