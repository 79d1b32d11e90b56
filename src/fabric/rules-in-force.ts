/**
 * fabric/rules-in-force: the security groups as in force at each receiver, and their verdicts.
 *
 * Owns: the groups in force for filtering (after the propagation delay: setEffective), each
 * flattened once (FlatRules) and shared by every receiver that has them; receivers by list of
 * group keys (instances with the same groups share one) and linking a host to its own
 * (receiverOf); who is a member of which group; the changes still propagating (`pending`) and
 * whether the world is settled (no change to come, none propagating); the verdict of the rules
 * on a packet (filter: through the rule arena where the host's row says, else the receiver),
 * and why they deny one (deny: a PacketDenial, or in a settled world a settled denial that
 * keeps host numbers, policy/evaluate.ts), with what a pending change would admit.
 * Note (domain.md): conntrack is asked before these rules (wire.ts arrive, path/conntrack.ts),
 * so revoking a rule keeps a tracked flow.
 * Does not own: applying a change (world-changes.ts), rule evaluation (policy/).
 */
import type { Simulator } from '../core/simulator.ts';
import type { Ip } from '../net/ipv4.ts';
import type { SecurityGroup } from '../model/types.ts';
import { FlatRules, Receiver } from '../policy/index.ts';
import { PacketDenial, admitLinear, lostGroupRule, type Denial, type HostDirectory } from '../policy/evaluate.ts';
import { settledDenial } from '../policy/settled-denial.ts';
import type { IngressView } from '../policy/match.ts';
import type { ConnTrackTable } from '../conntrack/table.ts';
import type { Explanation } from './flows.ts';
import type { Host, HostTable } from './hosts.ts';
import type { FabricState } from './state.ts';
import type { RuleLinks } from './fast/rule-links.ts';
import { HOST_STRIDE, H_FLAGS, H_RULES, RULES_LAID, RULES_REFS, H_SENDER, RUNNING, EXTERNAL } from './fast/host-rows.ts';

export class RulesInForce {
  private readonly sim: Simulator;
  private readonly conntrack: ConnTrackTable;
  private readonly h: HostTable;
  /** Groups as in force for filtering (after the propagation delay). */
  readonly effective = new Map<string, SecurityGroup>();
  /** The same groups flattened for scanning (FlatRules), shared by every receiver that has them. */
  private readonly flat = new Map<string, FlatRules>();
  /**
   * Receivers by list of group keys: instances with the same groups share one. Lists of one
   * key (most) by that key, in a map of at most one entry per group; longer lists by their
   * keys as JSON (in a large world most of those lists are an instance's own).
   */
  private readonly singleReceivers = new Map<string, Receiver>();
  private readonly receivers = new Map<string, Receiver>();
  /**
   * Receivers by the identity of a host's group-key list (the generator and the loader give
   * instances with the same groups one list object): the first lookup of receiverOf.
   */
  private readonly listReceivers = new Map<readonly string[], Receiver>();
  /** group key -> ids of instances that carry it. */
  readonly members = new Map<string, Set<number>>();
  /** group key -> when its earliest still-propagating change takes effect. */
  readonly pending = new Map<string, number[]>();

  constructor(
    private readonly st: FabricState,
    private readonly links: RuleLinks,
  ) {
    this.sim = st.sim;
    this.conntrack = st.conntrack;
    this.h = st.hosts;
  }

  setEffective(group: SecurityGroup): void {
    this.effective.set(group.key, group);
    this.flat.set(group.key, FlatRules.of(group));
    this.st.version++;
    if (this.receivers.size > 0 || this.singleReceivers.size > 0) {
      this.receivers.clear();
      this.singleReceivers.clear();
      this.listReceivers.clear();
    }
    const members = this.members.get(group.key);
    if (members) {
      for (const id of members) {
        this.h.list[id].receiver = null;
        const row = this.h.rowOf(id);
        this.h.info[row + H_RULES] = 0;
      }
    }
  }

  /**
   * Links a host to the receiver of its group list: by the list's identity (one lookup; lists
   * are shared), else by its keys (equal lists from elsewhere share one too), else a new one.
   * Called when a host is added, and on a host's next packet after a rule change unlinked it.
   */
  receiverOf(h: Host): Receiver {
    const keys = h.groupKeys;
    let r = this.listReceivers.get(keys);
    if (r === undefined) {
      const map = keys.length === 1 ? this.singleReceivers : this.receivers;
      // JSON, not keys joined by a separator: group names may hold any character.
      const key = keys.length === 1 ? keys[0] : JSON.stringify(keys);
      r = map.get(key);
      if (r === undefined) {
        r = new Receiver(
          keys.map((k) => this.effective.get(k)!),
          this.st.compileReceiversAfter,
          keys.map((k) => this.flat.get(k)!),
        );
        map.set(key, r);
      }
      this.listReceivers.set(keys, r);
    }
    h.receiver = r;
    this.links.linkRules(h.id, r);
    return r;
  }

  /**
   * The verdict of the rules in force at host `to` (its receiver's) on a packet from host
   * `from` (conntrack apart): the admitting rule, packed as policy/evaluate.ts admissionOf reads
   * it, or < 0. The rules from the arena when the host's row says where (no object read), else
   * through the receiver (linked on first use after a rule change). The sender's groups (which
   * a private path keeps; running and outside AWS from its row) are read from its Host object
   * only when those rules name a group.
   */
  filter(to: number, from: number, proto: number, key: number, src: Ip, privatePath: boolean): number {
    const sRow = from * HOST_STRIDE;
    const sFlags = this.h.info[sRow + H_FLAGS];
    const groupsKept = privatePath && sFlags & RUNNING && !(sFlags & EXTERNAL);
    const row = to * HOST_STRIDE;
    const rules = this.h.info[row + H_RULES];
    const laid = (rules & RULES_LAID) - 1;
    if (laid >= 0) {
      if (!(groupsKept && rules & RULES_REFS)) return this.links.arenaMatch(row, laid, proto, key, src, null);
      if (this.h.info[sRow + H_SENDER] >= 0) return this.links.arenaMatchNumbered(row, laid, proto, key, src, sRow);
      return this.links.arenaMatch(row, laid, proto, key, src, this.h.list[from].groupKeys);
    }
    const t = this.h.list[to];
    return (t.receiver ?? this.receiverOf(t)).match(proto, key, src, groupsKept ? this.h.list[from].groupKeys : null);
  }

  /**
   * Whether the world no longer changes: past the promised end of changes
   * (FabricOptions.changesEndNs), with no rule change still propagating.
   */
  settled(): boolean {
    return this.pending.size === 0 && this.sim.now > this.st.changesEndNs;
  }

  /** Why the groups in force at host `to` (its Receiver's) deny the packet filter() denied. */
  deny(to: number, from: number, proto: number, key: number, src: Ip, privatePath: boolean, dst: Ip, expired: boolean): Explanation {
    const rules = this.h.info[to * HOST_STRIDE + H_RULES];
    // How many of the receiver's groups are laid out in the arena (the host's row says where), or -1.
    const laid = (rules & RULES_LAID) - 1;
    if (laid >= 0) this.links.arenaDenialFacts(to, from, rules, proto, key, privatePath);
    if (laid >= 0 && !expired && this.settled()) {
      // A world that no longer changes: the denial keeps the hosts' numbers (this.directory),
      // not their names and groups, and reads no Host object (two cache misses in a large
      // world: the host array's slot and the object) unless its message is written, or a
      // sender of more than two groups lost a group rule on the public path.
      const sFlags = this.h.info[from * HOST_STRIDE + H_FLAGS];
      const keeps = (sFlags & RUNNING) !== 0 && !(sFlags & EXTERNAL);
      const named = keeps && !privatePath && (rules & RULES_REFS) !== 0 && this.h.info[from * HOST_STRIDE + H_SENDER] < 0;
      return settledDenial(this.directory, this.links.dHasRules, this.links.dLost, proto, key, src, privatePath, keeps ? (named ? this.h.list[from].groupKeys : undefined) : null, to, from, dst) as Explanation;
    }
    const t = this.h.list[to];
    const s = this.h.list[from];
    const receiver = t.receiver!;
    const sFlags = this.h.info[from * HOST_STRIDE + H_FLAGS];
    const senderGroups = sFlags & RUNNING && !(sFlags & EXTERNAL) ? s.groupKeys : null;
    const pending = this.pending.size === 0 ? null : this.pendingWouldAdmit(t, { protocol: proto, key, source: src, privatePath, senderGroups });
    const conntrackExpired = expired ? { idleNs: this.conntrack.expiredIdle, timeoutNs: this.conntrack.expiredTimeout } : null;
    let hasRules: boolean;
    let lost: number;
    if (laid >= 0) {
      hasRules = this.links.dHasRules;
      lost = this.links.dLost;
    } else {
      const flats = receiver.flats;
      hasRules = flats.some((f) => f.count > 0);
      lost = lostGroupRule(flats, proto, key, privatePath, senderGroups);
    }
    // The denial is the explanation: its message stays unwritten until someone reads it. It
    // keeps a laid-out receiver (small and never compiled) rather than reading its groups now;
    // any other, its groups (so that old denials never keep a compiled index alive).
    const denial: Denial = new PacketDenial(laid >= 0 ? receiver : receiver.groups, hasRules, lost, proto, key, src, privatePath, senderGroups, t.name, s.name, dst, pending, conntrackExpired);
    return denial as Explanation;
  }

  /** Hosts by number for settled denials: in a world that no longer changes, what they hold when a message is written is what they held when it was denied. */
  readonly directory: HostDirectory = {
    nameOf: (id) => this.h.list[id].name,
    groupsAt: (id) => this.h.list[id].receiver!.groups,
    senderGroupsOf: (id) => {
      const f = this.h.info[id * HOST_STRIDE + H_FLAGS];
      return f & RUNNING && !(f & EXTERNAL) ? this.h.list[id].groupKeys : null;
    },
  };

  /** Would the rules as configured (changes still propagating included) admit the packet? */
  pendingWouldAdmit(t: Host, view: IngressView): { group: string; effectiveAtNs: number } | null {
    if (this.pending.size === 0) return null;
    const configured = t.groupKeys.map((k) => this.st.world.groups[k]);
    const adm = admitLinear(configured, view);
    if (!adm) return null;
    const times = this.pending.get(adm.group.key);
    if (!times || times.length === 0) return null;
    return { group: adm.group.key, effectiveAtNs: times[0] };
  }
}
