/**
 * fabric/fast/rule-links: which hosts' rules are laid out in the rule arena, and where — the
 * shortcut of a packet's rule scan past the chain of objects behind a Receiver.
 *
 * Owns: the groups of the receivers of at most SCAN_RULES rules and ARENA_GROUPS groups (all
 * of them, in a generated world), laid out in one array (policy/rule-arena.ts RuleArena), and
 * where each is: a packet's rule scan reads the receiving host's row (H_RULES, H_GROUP0,
 * H_GROUP1) and then the rules. Linking a host to its receiver's groups (linkRules), laying
 * the arena out again when rule changes left too much behind (compactArena), the arena's
 * answer for a host (arenaMatch, arenaMatchNumbered) and the facts a denial's codes are
 * decided from (arenaDenialFacts). Receivers compiled from their first packet
 * (compileReceiversAfter 0) are never laid out.
 * The reference (FabricOptions.fastPaths false) asks the receiver (path/groups.ts); the
 * property tests hold the two equal. No classic-only fact: a VPC plan may reuse it for any
 * set of groups.
 * Does not own: the rules in force (rules-in-force.ts), the arena's layout (policy/).
 */
import { FlatRules, Receiver, RuleArena } from '../../policy/index.ts';
import type { HostTable } from '../hosts.ts';
import type { FabricState } from '../state.ts';
import { HOST_STRIDE, H_FLAGS, H_RULES, RULES_LAID, RULES_REFS, H_GROUP0, H_SENDER, H_SENDER0, H_SENDER1, H_GROUP1, ARENA_GROUPS, ARENA_COMPACT_MIN, RUNNING, EXTERNAL } from './host-rows.ts';

export class RuleLinks {
  private readonly h: HostTable;
  readonly arena = new RuleArena();
  private readonly arenaAt = new Map<FlatRules, number>();
  private arenaCompactAt = ARENA_COMPACT_MIN;
  /** Times the arena was laid out again (a receiver's Receiver.laidOut is valid while it equals this). */
  private layouts = 0;
  private readonly compileAfter: number;
  // What arenaDenialFacts found, read at once by RulesInForce.deny: no object per denial.
  dHasRules = false;
  dLost = -1;

  constructor(st: FabricState) {
    this.h = st.hosts;
    this.compileAfter = st.compileReceiversAfter;
  }

  /**
   * Writes where the host's receiver's groups are (H_RULES, H_GROUP0, H_GROUP1), laying them
   * out in the arena first if they are not there yet: for receivers of at most SCAN_RULES rules,
   * which are never compiled (Receiver.match scans them; the arena scan gives the same
   * answers). Before the arena grows past arenaCompactAt it is laid out again with the groups
   * of the receivers hosts still link (a rule change leaves the old rules behind), so it stays
   * within twice what is in use.
   */
  linkRules(id: number, r: Receiver): void {
    const at = this.h.rowOf(id);
    const flats = r.flats;
    if (this.compileAfter === 0 || r.rules > Receiver.SCAN_RULES || flats.length > ARENA_GROUPS) {
      this.h.info[at + H_RULES] = 0;
      return;
    }
    if (r.laidOut !== this.layouts) {
      let need = 0;
      for (const f of flats) if (!this.arenaAt.has(f)) need += RuleArena.sizeOf(f);
      if (need > 0 && this.arena.size + need > this.arenaCompactAt) this.compactArena();
      // (compactArena may have laid this receiver out already: then this finds its groups.)
      if (flats.length > 0) r.laidGroup0 = this.placeGroup(flats[0]);
      if (flats.length > 1) r.laidGroup1 = this.placeGroup(flats[1]);
      r.laidOut = this.layouts;
    }
    const info = this.h.info;
    info[at + H_GROUP0] = r.laidGroup0;
    info[at + H_GROUP1] = r.laidGroup1;
    let refs = false;
    for (const f of flats) if (f.refs.length > 0) refs = true;
    info[at + H_RULES] = flats.length + 1 + (refs ? RULES_REFS : 0);
  }

  private placeGroup(f: FlatRules): number {
    let o = this.arenaAt.get(f);
    if (o === undefined) {
      o = this.arena.add(f);
      this.arenaAt.set(f, o);
    }
    return o;
  }

  /** Lays out the arena again with only the groups of the receivers hosts link now (linkRules). */
  private compactArena(): void {
    this.arena.clear();
    this.arenaAt.clear();
    this.layouts++;
    this.arenaCompactAt = Infinity;
    for (const h of this.h.list) if (h.receiver !== null) this.linkRules(h.id, h.receiver);
    this.arenaCompactAt = Math.max(ARENA_COMPACT_MIN, 2 * this.arena.size);
  }

  /** matchFlat's answer for the host's receiver from the arena (`n` >= 0 of its groups are there: its row's H_RULES & RULES_LAID is n + 1). */
  arenaMatch(row: number, n: number, protocol: number, key: number, source: number, senderGroups: readonly string[] | null): number {
    if (n === 0) return -1;
    const info = this.h.info;
    const p = this.arena.match(info[row + H_GROUP0], 0, protocol, key, source, senderGroups);
    return p >= 0 || n === 1 ? p : this.arena.match(info[row + H_GROUP1], 1, protocol, key, source, senderGroups);
  }

  /** arenaMatch for a sender whose groups its row numbers (H_SENDER >= 0; `sRow`, its row's offset). */
  arenaMatchNumbered(row: number, n: number, protocol: number, key: number, source: number, sRow: number): number {
    if (n === 0) return -1;
    const info = this.h.info;
    const count = info[sRow + H_SENDER];
    const g0 = info[sRow + H_SENDER0];
    const g1 = info[sRow + H_SENDER1];
    const p = this.arena.matchNumbered(info[row + H_GROUP0], 0, protocol, key, source, count, g0, g1);
    return p >= 0 || n === 1 ? p : this.arena.matchNumbered(info[row + H_GROUP1], 1, protocol, key, source, count, g0, g1);
  }

  /**
   * The facts a denial's codes are decided from, for a receiver whose `rules` (its row's
   * H_RULES) are laid out in the arena, as the scan that denied the packet read them: whether
   * any of its groups has a rule (dHasRules), and the group rule a public-path packet from an
   * instance lost (dLost: policy/evaluate.ts lostGroupRule), looked for only when the
   * receiver's rules name a group: by the numbers in the sender's row, or its group keys when
   * it has more than two. One loop for deny's two cases (a settled world or not).
   */
  arenaDenialFacts(to: number, from: number, rules: number, proto: number, key: number, privatePath: boolean): void {
    const info = this.h.info;
    const sRow = from * HOST_STRIDE;
    const sFlags = info[sRow + H_FLAGS];
    const seek = (sFlags & RUNNING) !== 0 && !(sFlags & EXTERNAL) && !privatePath && (rules & RULES_REFS) !== 0;
    const count = info[sRow + H_SENDER];
    const senderGroups = seek && count < 0 ? this.h.list[from].groupKeys : null;
    const g0 = info[sRow + H_SENDER0];
    const g1 = info[sRow + H_SENDER1];
    const laid = (rules & RULES_LAID) - 1;
    const row = to * HOST_STRIDE;
    let hasRules = false;
    let lost = -1;
    for (let g = 0; g < laid; g++) {
      const at = info[row + H_GROUP0 + g];
      if (this.arena.count(at) > 0) hasRules = true;
      if (lost >= 0 || !seek) continue;
      lost = senderGroups !== null ? this.arena.firstSenderGroupRule(at, g, proto, key, senderGroups) : this.arena.firstSenderGroupRuleNumbered(at, g, proto, key, count, g0, g1);
    }
    this.dHasRules = hasRules;
    this.dLost = lost;
  }
}
