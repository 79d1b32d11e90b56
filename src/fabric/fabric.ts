/**
 * fabric/fabric: the network between hosts — the facade that owns the fabric's state and wires
 * its rooms.
 *
 * A packet crosses the plan of hops (path/plan.ts, the reference; FabricOptions.fastPaths
 * false runs it alone): the sender, the route, NAT at arrival, connection tracking, the
 * receiver's groups, the host. The fast twins live in rooms of their own, each owning one
 * concern (design.md "The fabric"):
 *   state.ts            the shared state: simulator, settings, trace, world, version, counters
 *   hosts.ts            hosts, their rows, addresses and listening ports, ephemeral ports
 *   routing.ts          routing and the source NAT, latency with its jitter
 *   rules-in-force.ts   the groups in force at each receiver (propagation), filter and deny
 *   wire.ts             transmit, arrive (conntrack first, then the rules), deliver
 *   by-plan.ts          the plan's world (PathWorld), arrival by the plan alone, wayOf
 *   tcp-client.ts       connect, the retransmission timers (where a SYN is retransmitted), close
 *   endpoints.ts        UDP sends and pings
 *   world-changes.ts    applyChange: rule changes after the propagation delay, lifecycle, EIPs
 *   flow-book.ts        what the flows' records say
 *   fast/               the shortcuts: host rows, rule links (the arena), decisions at send in
 *                       a settled world (denied-at-send), fast-forward of denied connects
 *                       and its landings
 * Every packet travels as an event, with one exception that changes nothing observable: the
 * SYN retransmissions of a connect denied after the last change, which are accounted for at
 * its timeout instead (fast/fast-forward.ts).
 * Does not own: the world's rules of change (model/), rule evaluation (policy/), the table of
 * tracked flows (conntrack/), scenario files or expectations (scenario/).
 */
import type { Simulator } from '../core/simulator.ts';
import type { Ip } from '../net/ipv4.ts';
import { F_SYN, TCP } from '../net/protocol.ts';
import type { Change, World } from '../model/world.ts';
import { Receiver } from '../policy/index.ts';
import { ConnTrackTable } from '../conntrack/table.ts';
import { slowestLatency, type Settings } from '../model/settings.ts';
import type { FlowRecord, TraceSink } from './flows.ts';
import { FlowBook } from './flow-book.ts';
import { SocketTable } from './sockets.ts';
import { FabricState, type FabricStats } from './state.ts';
import { EPHEMERAL_FIRST, HostTable, type Host } from './hosts.ts';
import { RuleLinks } from './fast/rule-links.ts';
import { RulesInForce } from './rules-in-force.ts';
import { Router } from './routing.ts';
import { DeniedAtSend } from './fast/denied-at-send.ts';
import { FastForward } from './fast/fast-forward.ts';
import { ByPlan } from './by-plan.ts';
import { Wire } from './wire.ts';
import { TcpClient } from './tcp-client.ts';
import type { Connection, Socket } from './connection.ts';
import { Endpoints } from './endpoints.ts';
import { WorldChanges } from './world-changes.ts';
import type { PathResult, Plan } from './path/plan.ts';

export type { TraceEvent, TraceSink } from './flows.ts';
export type { FabricStats } from './state.ts';
export type { Host } from './hosts.ts';
export type { Connection } from './connection.ts';

export interface FabricOptions {
  /** Tracked flows to size the connection-tracking table for (it grows past this as needed). */
  readonly expectedFlows?: number;
  /**
   * The caller's promise that no change is applied after this simulated time, and that the
   * simulator runs until idle. From then on (once no rule change is still propagating) the
   * fabric fast-forwards denied connects: see fast/fast-forward.ts. applyChange after it throws.
   * Default: no promise, no fast-forward.
   */
  readonly changesEndNs?: number;
  /**
   * Packets a receiver's rules are scanned for before they are compiled (policy/index.ts
   * `Receiver`; default Receiver.COMPILE_AFTER). 0 compiles every receiver from its first
   * packet: tests use it to run scenarios through the compiled index.
   */
  readonly compileReceiversAfter?: number;
  /**
   * false: every packet is decided by the plan of hops alone (path/plan.ts, the reference),
   * with none of the fast paths that shortcut it (the rule arena and compiled receivers, a
   * retransmission's reused verdict, fast-forward, decisions at send, settled explanations).
   * Reports and traces are the same either way (test/props/plan.test.ts). Default true.
   */
  readonly fastPaths?: boolean;
}

export class Fabric {
  readonly conntrack: ConnTrackTable;
  /** FabricOptions.fastPaths. */
  readonly fastPaths: boolean;
  private readonly st: FabricState;
  private readonly table: HostTable;
  private readonly links: RuleLinks;
  private readonly byPlan: ByPlan;
  private readonly tcp: TcpClient;
  private readonly endpoints: Endpoints;
  private readonly changes: WorldChanges;

  constructor(
    sim: Simulator,
    world: World,
    readonly settings: Settings,
    trace: TraceSink | null = null,
    options: FabricOptions = {},
  ) {
    const book = new FlowBook(sim, trace);
    this.fastPaths = options.fastPaths ?? true;
    const promisedEndNs = options.changesEndNs ?? Infinity;
    let instances = 0;
    for (const shard of world.instances) for (const _ in shard) instances++;
    const externals = Object.keys(world.external).length;
    this.table = new HostTable(instances + externals, instances);
    this.conntrack = new ConnTrackTable(settings.conntrack, options.expectedFlows ?? Math.max(1024, 2 * instances));
    const st = (this.st = new FabricState(
      sim,
      world,
      settings,
      trace,
      this.table,
      this.conntrack,
      new SocketTable<Socket>(1024),
      book,
      this.fastPaths,
      this.fastPaths ? promisedEndNs : Infinity,
      promisedEndNs,
      options.compileReceiversAfter ?? Receiver.COMPILE_AFTER,
      Math.ceil(slowestLatency(settings.latency)) + 1,
    ));
    // The rooms, each given the rooms it calls; the three calls back (to a room made after
    // it) are wired below.
    this.links = new RuleLinks(st);
    const rules = new RulesInForce(st, this.links);
    const router = new Router(st);
    const atSend = new DeniedAtSend(st, router, rules);
    const ff = new FastForward(st, router, rules);
    this.byPlan = new ByPlan(st, rules);
    const wire = new Wire(st, router, rules, atSend, ff, this.byPlan);
    this.tcp = new TcpClient(st, wire, router, ff, atSend);
    this.byPlan.wire = wire;
    wire.tcp = this.tcp;
    ff.tcp = this.tcp;
    this.endpoints = new Endpoints(st, wire);
    const numberOf = (group: string) => this.links.arena.numberOf(group);
    this.changes = new WorldChanges(st, rules, this.tcp, numberOf);

    for (const key in world.groups) rules.setEffective(world.groups[key]);
    for (const shard of world.instances) for (const name in shard) this.changes.addInstance(shard[name]);
    for (const name in world.external) {
      const e = world.external[name];
      const id = this.table.newHost(name, true, null, null, [], e.services, numberOf);
      const h = this.table.list[id];
      h.running = true;
      h.privateIp = e.ip;
      h.publicIp = e.ip;
      this.table.writeHostInfo(h);
      this.table.byPublic.set(e.ip, id);
    }
  }

  /** The world as configured now (rule changes apply here at once). */
  get world(): World {
    return this.st.world;
  }

  get hosts(): Host[] {
    return this.table.list;
  }

  get stats(): FabricStats {
    return this.st.stats;
  }

  /** The hops a packet crosses (path/plan.ts). */
  get plan(): Plan {
    return this.byPlan.plan;
  }

  /** Int32s the rule arena holds now, live and left behind by rule changes (for tests). */
  get ruleArenaSize(): number {
    return this.links.arena.size;
  }

  /** Client endpoints (connections, UDP and ping sockets) open now, over all hosts. */
  get openEndpoints(): number {
    return this.st.sockets.size;
  }

  hostId(name: string): number | undefined {
    return this.table.byName.get(name);
  }

  host(name: string): Host | undefined {
    const id = this.table.byName.get(name);
    return id === undefined ? undefined : this.table.list[id];
  }

  /**
   * Sets the local port the host's next connect or UDP send takes (as after its ephemeral
   * ports wrapped round): HostTable.setNextPort.
   */
  setNextPort(id: number, port: number): void {
    this.table.setNextPort(id, port);
  }

  /**
   * Opens a TCP connection from `from` to `dst:port`. `noLaterActions`: the caller promises
   * never to transfer on it or close it, which lets the fabric fast-forward it if it is denied.
   */
  connect(flow: FlowRecord, from: number, dst: Ip, port: number, noLaterActions = false): Connection | null {
    return this.tcp.connect(flow, from, dst, port, noLaterActions);
  }

  /** connect() for a caller that will never act on the connection and needs no handle to it (TcpClient.connectDetached). */
  connectDetached(flow: FlowRecord, from: number, dst: Ip, port: number): void {
    this.tcp.connectDetached(flow, from, dst, port);
  }

  /** Sends one data segment over an open connection (sgsim's `transfer`). */
  transfer(flow: FlowRecord, conn: Connection | null): void {
    this.tcp.transfer(flow, conn);
  }

  /** Closes a connection with FIN. */
  close(conn: Connection | null): void {
    this.tcp.close(conn);
  }

  /** Sends `count` UDP datagrams from `from` to `dst:port`. */
  sendUdp(flow: FlowRecord, from: number, dst: Ip, port: number, count: number): void {
    this.endpoints.sendUdp(flow, from, dst, port, count);
  }

  /** Sends one ICMP echo request and waits settings.pingTimeout for the reply. */
  ping(flow: FlowRecord, from: number, dst: Ip): void {
    this.endpoints.ping(flow, from, dst);
  }

  /** Low-level UDP for bulk workloads: sends one datagram with no flow record. */
  sendDatagram(from: number, localPort: number, dst: Ip, port: number, flow: FlowRecord | null = null): void {
    this.endpoints.sendDatagram(from, localPort, dst, port, flow);
  }

  /** Applies a change now; rule changes reach filtering after the propagation delay (world-changes.ts). */
  applyChange(change: Change): void {
    this.changes.applyChange(change);
  }

  /**
   * The way a packet from host `from` to `dst` (protocol, destination port; icmp: type << 16 |
   * code; from local port `sport`, with TCP `flags`) would take now, hop by hop: the whole plan
   * run at once, without time (a question: nothing is sent, tracked or counted).
   */
  wayOf(from: number, dst: Ip, protocol: number, dport: number, sport = EPHEMERAL_FIRST, flags = protocol === TCP ? F_SYN : 0): PathResult {
    return this.byPlan.wayOf(from, dst, protocol, dport, sport, flags);
  }
}
