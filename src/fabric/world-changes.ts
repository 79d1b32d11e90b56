/**
 * fabric/world-changes: a change of the world applied to the fabric.
 *
 * Owns: applyChange — authorize and revoke reach filtering after the propagation delay (the
 * change waits in RulesInForce.pending until then; the trace's `effective`), launch adds a
 * host, stop / start / terminate and associate / disassociate bring a host's state and
 * addresses in line (syncAddresses: stopping or terminating drops every endpoint and tracked
 * flow of the host, and ends the flows still waiting for their answer); the promise of no
 * change after FabricOptions.changesEndNs; the trace's `change`.
 * Does not own: the world's rules of change (model/world.ts), the rules in force
 * (rules-in-force.ts), the hosts' tables (hosts.ts).
 */
import type { Simulator } from '../core/simulator.ts';
import { formatIp } from '../net/ipv4.ts';
import type { Settings } from '../model/settings.ts';
import { groupDisplayName, type Instance } from '../model/types.ts';
import { applyChange, changeRules, getElasticIp, getInstance, type Change } from '../model/world.ts';
import { describeRule } from '../policy/evaluate.ts';
import { ConnTrackTable } from '../conntrack/table.ts';
import type { TraceSink } from './flows.ts';
import type { FlowBook } from './flow-book.ts';
import type { HostTable } from './hosts.ts';
import type { FabricState } from './state.ts';
import type { SocketTable } from './sockets.ts';
import type { RulesInForce } from './rules-in-force.ts';
import type { Socket } from './connection.ts';
import type { TcpClient } from './tcp-client.ts';

export class WorldChanges {
  private readonly sim: Simulator;
  private readonly settings: Settings;
  private readonly trace: TraceSink | null;
  private readonly book: FlowBook;
  private readonly conntrack: ConnTrackTable;
  private readonly sockets: SocketTable<Socket>;
  private readonly h: HostTable;

  constructor(
    private readonly st: FabricState,
    private readonly rules: RulesInForce,
    private readonly tcp: TcpClient,
    /** The number a sender group has in the rule arena (RuleArena.numberOf). */
    private readonly numberOf: (group: string) => number,
  ) {
    this.sim = st.sim;
    this.settings = st.settings;
    this.trace = st.trace;
    this.book = st.book;
    this.conntrack = st.conntrack;
    this.sockets = st.sockets;
    this.h = st.hosts;
  }

  /** Applies a change now; rule changes reach filtering after the propagation delay. */
  applyChange(change: Change): void {
    if (this.sim.now > this.st.promisedEndNs) {
      throw new Error(`applyChange at ${this.sim.now} ns, after the promised end of changes (${this.st.promisedEndNs} ns)`);
    }
    const before = this.st.world;
    this.st.version++;
    this.st.world = applyChange(before, change);
    if (this.trace) this.st.emit('change', describeChange(change));
    switch (change.kind) {
      case 'authorize':
      case 'revoke': {
        const delay = this.settings.propagationDelay;
        if (delay <= 0) {
          this.rules.setEffective(changeRules(this.rules.effective.get(change.group)!, change));
          return;
        }
        const at = this.sim.now + delay;
        const list = this.rules.pending.get(change.group) ?? [];
        list.push(at);
        this.rules.pending.set(change.group, list);
        this.sim.at(at, () => {
          this.rules.setEffective(changeRules(this.rules.effective.get(change.group)!, change));
          const l = this.rules.pending.get(change.group)!;
          l.shift();
          if (l.length === 0) this.rules.pending.delete(change.group);
          if (this.trace) this.st.emit('effective', { ...describeChange(change) });
        });
        return;
      }
      case 'launch': {
        // Launching with an Elastic IP another instance holds moves it, as associate does.
        const eip = change.instance.elasticIp;
        const former = eip !== undefined ? getElasticIp(before, eip)?.instance : undefined;
        if (former) this.syncInstance(former);
        this.addInstance(getInstance(this.st.world, change.instance.name)!);
        return;
      }
      case 'stop':
      case 'start':
      case 'terminate':
        this.syncInstance(change.instance);
        return;
      case 'associate': {
        const former = getElasticIp(before, change.elasticIp)?.instance;
        if (former && former !== change.instance) this.syncInstance(former);
        this.syncInstance(change.instance);
        return;
      }
      case 'disassociate': {
        const holder = getElasticIp(before, change.elasticIp)?.instance;
        if (holder) this.syncInstance(holder);
        return;
      }
    }
  }

  private syncInstance(name: string): void {
    const id = this.h.byName.get(name)!;
    this.syncAddresses(id, getInstance(this.st.world, name)!);
  }

  addInstance(inst: Instance): void {
    const id = this.h.newHost(inst.name, false, inst.region, inst.zone, inst.groups, inst.services, this.numberOf);
    for (const k of inst.groups) {
      let m = this.rules.members.get(k);
      if (!m) this.rules.members.set(k, (m = new Set()));
      m.add(id);
    }
    this.rules.receiverOf(this.h.list[id]);
    this.syncAddresses(id, inst);
  }

  /** Brings a host's state and the address maps in line with the world's instance. */
  private syncAddresses(id: number, inst: Instance): void {
    const h = this.h.list[id];
    if (h.privateIp !== 0 && this.h.byPrivate.get(h.privateIp) === id) this.h.byPrivate.delete(h.privateIp);
    if (h.publicIp !== 0 && this.h.byPublic.get(h.publicIp) === id) this.h.byPublic.delete(h.publicIp);
    const wasRunning = h.running;
    h.running = inst.state === 'running';
    h.privateIp = inst.privateIp ?? 0;
    h.publicIp = inst.elasticIp ?? inst.publicIp ?? 0;
    if (h.privateIp !== 0) this.h.byPrivate.set(h.privateIp, id);
    if (h.publicIp !== 0) this.h.byPublic.set(h.publicIp, id);
    this.h.writeHostInfo(h);
    if (wasRunning && !h.running) {
      // Stopping or terminating drops every endpoint and tracked flow of the host; a flow
      // still waiting for its answer ends now, for that reason.
      const why = `${h.name} was ${inst.state === 'terminated' ? 'terminated' : 'stopped'} while the flow waited for its answer`;
      for (const s of this.sockets.of(id)) {
        if (s.kind === 'tcp') {
          this.tcp.cancelTimer(s);
          // resolve() leaves a flow already decided (a connected connect) as it was.
          this.book.failFlow(s.flow, 'SOURCE_NOT_RUNNING', why);
          if (s.transfer !== null) this.book.failFlow(s.transfer, 'SOURCE_NOT_RUNNING', why);
        } else if (s.kind === 'icmp') {
          this.sim.cancel(s.timer);
          this.book.failFlow(s.flow, 'SOURCE_NOT_RUNNING', why);
        }
      }
      this.sockets.clearHost(id);
      this.conntrack.clearHost(id);
    }
  }
}

function describeChange(change: Change): Record<string, unknown> {
  switch (change.kind) {
    case 'authorize':
    case 'revoke':
      return { change: change.kind, group: groupDisplayName(change.group), rule: describeRule(change.rule) };
    case 'launch':
      return { change: 'launch', instance: change.instance.name };
    case 'associate':
      return { change: 'associate', elasticIp: formatIp(change.elasticIp), instance: change.instance };
    case 'disassociate':
      return { change: 'disassociate', elasticIp: formatIp(change.elasticIp) };
    default:
      return { change: change.kind, instance: change.instance };
  }
}
