/**
 * fabric/fabric: the network between hosts.
 *
 * Owns: hosts (instances and external hosts) and the addresses they hold; routing a packet
 * from its sender to the host holding its destination address (domain.md §4: private path
 * inside a region, public path through NAT, the seed's cross-region redirect of private
 * addresses to the public one, no route from outside AWS to a private address); the source the
 * receiver sees; latency by zone, region, public path and internet with seeded jitter;
 * filtering at the receiver — connection tracking first, then the union of its security groups
 * (group rules on the private path only) — with silent drops; outbound never filtered
 * (classic); rule changes in force after the propagation delay; the endpoints' behaviour
 * (transport/) wired to timers; trace events; and filling in each flow's record.
 * Every packet travels as an event, with one exception that changes nothing observable: the
 * SYN retransmissions of a connect denied after the last change, which are accounted for at
 * its timeout instead (fastForward).
 * Does not own: the world's rules of change (model/), rule evaluation (policy/), the table of
 * tracked flows (conntrack/), scenario files or expectations (scenario/).
 */
import type { Simulator } from '../core/simulator.ts';
import { keyedUniform } from '../core/random.ts';
import { DelayLine } from '../core/delayline.ts';
import { formatIp, isClassicPrivate, type Ip } from '../net/ipv4.ts';
import { IpMap } from '../net/ipmap.ts';
import { SocketTable } from './sockets.ts';
import { grown } from './grown.ts';
import { PacketPool, P_STRIDE, P_KIND, P_SRC, P_DST, P_WIRE_DST, P_SPORT, P_DPORT, P_SRC_HOST, P_DST_HOST, P_VERSION, P_TRACE_ID } from './packets.ts';
import { HOST_STRIDE, H_PRIVATE, H_PUBLIC, H_FLAGS, H_PLACE, H_RULES, RULES_LAID, RULES_REFS, H_GROUP0, H_GROUP1, H_NEXT_PORT, H_SENDER, H_SENDER0, H_SENDER1, H_HAD_TCP, ARENA_GROUPS, ARENA_COMPACT_MIN, RUNNING, EXTERNAL } from './fast/host-rows.ts';
import { Landings, type RetransmissionChain } from './fast/landings.ts';
import { ICMP, ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST, TCP, UDP, icmpKey, protocolName, type PortRange } from '../net/protocol.ts';
import { groupDisplayName, type Instance, type SecurityGroup, type Service } from '../model/types.ts';
import { applyChange, changeRules, getElasticIp, getInstance, type Change, type World } from '../model/world.ts';
import { FlatRules, Receiver, RuleArena } from '../policy/index.ts';
import { PacketDenial, RuleAdmission, admissionOf, admitLinear, describeRule, lostGroupRule, settledDenial, type Denial, type HostDirectory } from '../policy/evaluate.ts';
import type { IngressView } from '../policy/match.ts';
import { ConnTrackTable, EXPIRED, INBOUND, MISS, OUTBOUND } from '../conntrack/table.ts';
import { F_DATA, F_RST, F_SYN, describeFlags } from '../net/protocol.ts';
import {
  tcpClientOnSegment,
  tcpClose,
  tcpOnTimer,
  tcpOpen,
  tcpSendData,
  tcpServerReply,
  type TcpClientState,
  type TcpStep,
} from '../transport/tcp.ts';
import { slowestLatency, type Settings } from '../model/settings.ts';
import type { Explanation, ExplanationCode, FlowRecord, TraceSink } from './flows.ts';
import { FlowBook } from './flow-book.ts';

export type { TraceEvent, TraceSink } from './flows.ts';
import type { HostAction, PathPacket, PathWorld } from './path/hop.ts';
import { hostAction, UDP_ECHO } from './path/host.ts';
import { trackedPorts } from './path/conntrack.ts';
import { CLASSIC_PLAN, explain, packetOf, runHops, runPlan, type PathResult, type Plan } from './path/plan.ts';

export interface FabricOptions {
  /** Tracked flows to size the connection-tracking table for (it grows past this as needed). */
  readonly expectedFlows?: number;
  /**
   * The caller's promise that no change is applied after this simulated time, and that the
   * simulator runs until idle. From then on (once no rule change is still propagating) the
   * fabric fast-forwards denied connects: see Fabric.fastForward. applyChange after it throws.
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

export interface FabricStats {
  packets: number;
  delivered: number;
  drops: number;
  /** UDP datagrams delivered that were not echoes, and echoes delivered. */
  udpDelivered: number;
  udpEchoesDelivered: number;
}

/**
 * A host: an instance or a host outside AWS. The fabric's to change: it routes from its own
 * copy of the addresses, running state, region and zone (hostInfo), written from here by the
 * fabric whenever it changes them, and delivers by its own table of listening ports (by
 * services list); a caller writing these fields changes nothing.
 */
export interface Host {
  readonly id: number;
  readonly name: string;
  readonly external: boolean;
  region: string | null;
  zone: string | null;
  running: boolean;
  /** Private address (instances), or the one address (external); 0 when none. */
  privateIp: Ip;
  /** The public address others reach it by: its EIP if associated, else its public IP; 0 when none. */
  publicIp: Ip;
  groupKeys: readonly string[];
  /** The host's groups as in force now (after propagation): linked when the host is added, and after a rule change on first use. */
  receiver: Receiver | null;
  readonly tcpPorts: readonly PortRange[];
  readonly udpPorts: readonly PortRange[];
  nextEchoId: number;
}

type Socket =
  | Connection
  | { kind: 'udp'; flow: FlowRecord | null }
  | { kind: 'icmp'; flow: FlowRecord; timer: number };

/** A client TCP connection opened by `connect` (it is its own socket: no wrapper per connection). */
export interface Connection {
  readonly kind: 'tcp';
  readonly host: number;
  readonly localPort: number;
  /** The address its packets go to (after any redirect). */
  remote: Ip;
  readonly remotePort: number;
  state: TcpClientState;
  /**
   * The pending retransmission timer: its event (>= 0), or for a connect's first timer, which
   * waits in the fabric's line of first timers (core/delayline.ts), -2 - its ticket there;
   * -1 when none is pending.
   */
  timer: number;
  /** Where the pending timer finds this connection (Fabric.timerConns), while `timer` !== -1. */
  timerSlot: number;
  readonly flow: FlowRecord;
  /** A transfer waiting for its ACK. */
  transfer: FlowRecord | null;
  /** The caller will neither transfer on this connection nor close it (see Fabric.connect). */
  readonly noLaterActions: boolean;
  /**
   * While its first timer is pending: the place held for its timeout, should it be
   * fast-forwarded, in the line of its retransmission chain (`endLine`), or -1 (holdEnd).
   */
  endTicket: number;
  endLine: DelayLine | null;
}

const EPHEMERAL_FIRST = 32768;
const EPHEMERAL_LAST = 60999;

/** Why a connect times out when its SYN retransmissions run out (Fabric.noAnswer's `within`). */
const TIMED_OUT = 'before its SYN retransmissions ran out';

/** A services list's listening ports, by protocol (Fabric.portLists holds each at `number`). */
interface ListeningPorts {
  readonly number: number;
  readonly tcp: readonly PortRange[];
  readonly udp: readonly PortRange[];
}

export class Fabric {
  /** The world as configured now (rule changes apply here at once). */
  world: World;
  readonly hosts: Host[] = [];
  readonly stats: FabricStats = { packets: 0, delivered: 0, drops: 0, udpDelivered: 0, udpEchoesDelivered: 0 };
  readonly conntrack: ConnTrackTable;
  /** What the flows' records say, written as packets travel (flow-book.ts). */
  private readonly book: FlowBook;

  private readonly hostByName = new Map<string, number>();
  /**
   * The fields of every host that each packet reads (addresses, running, external, region and
   * zone, where its rules are, its next ephemeral port, its groups as a sender by number),
   * HOST_STRIDE int32s per host id (a row of 64 bytes: a cache line), written from the Host
   * object whenever it changes (writeHostInfo, linkRules; the next port and sender groups by
   * newHost, the port by ephemeralPort and setNextPort).
   * Routing reads these instead of the objects: in a world of 10^6 hosts, a host object is a
   * cache miss behind another (the array slot), and each packet met three.
   */
  private hostInfo: Int32Array;
  /** Region and zone names by their code in hostInfo (1-based; 0 is none). */
  private readonly regionCodes = new Map<string, number>();
  private readonly zoneCodes = new Map<string, number>();
  /** Host ids by the private / public address they hold. */
  private readonly byPrivate: IpMap;
  private readonly byPublic: IpMap;
  /** Groups as in force for filtering (after the propagation delay). */
  private readonly effective = new Map<string, SecurityGroup>();
  /** The same groups flattened for scanning (FlatRules), shared by every receiver that has them. */
  private readonly flat = new Map<string, FlatRules>();
  /**
   * The groups of the receivers of at most SCAN_RULES rules and ARENA_GROUPS groups (all of
   * them, in a generated world), laid out in one array, and where each is (policy/index.ts
   * RuleArena): a packet's rule scan reads the receiving host's row of hostInfo (H_RULES,
   * H_GROUP0, H_GROUP1) and then the rules, not the chain of objects behind a Receiver.
   * Receivers compiled from their first packet (compileReceiversAfter 0) are never laid out.
   */
  private readonly arena = new RuleArena();
  private readonly arenaAt = new Map<FlatRules, number>();
  private arenaCompactAt = ARENA_COMPACT_MIN;
  /** Times the arena was laid out again (a receiver's Receiver.laidOut is valid while it equals this). */
  private layouts = 0;
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
  /** Listening ports by services list (newHost). */
  private readonly portsOf = new Map<readonly Service[], ListeningPorts>();
  /**
   * The listening ports of each host, as a number in `portLists` (hosts with the same services
   * list share one): delivering a packet reads this small array, not the host's `Host` object.
   */
  private hostPorts: Int32Array;
  private readonly portLists: ListeningPorts[] = [];
  /** Bumped by every change of rules in force, membership or addresses (explanations cache on it). */
  private version = 0;
  /** group key -> ids of instances that carry it. */
  private readonly members = new Map<string, Set<number>>();
  /** group key -> when its earliest still-propagating change takes effect. */
  private readonly pending = new Map<string, number[]>();
  private readonly packets = new PacketPool();
  /** Client endpoints of every host, by host id and protocol * 65536 + local port (icmp: echo id). */
  private readonly sockets = new SocketTable<Socket>(1024);
  /** Key of the jitter draws (from the run's 'latency' stream); see latency(). */
  private readonly jitterKey: number;
  /** Flows numbered so far (FlowRecord.serial), and packets sent with no flow record. */
  private flowSerials = 0;
  private unflowedSent = 0;
  private readonly onArrive = (p: number) => this.arrive(p);
  private readonly onTcpTimer = (slot: number) => this.tcpTimer(slot);
  /** Connects' first retransmission timers (armAt). */
  private readonly firstTimers: DelayLine;
  /**
   * Connections with a pending retransmission timer, by the slot the timer carries: a timer
   * goes straight to its connection, not through its host's socket map (at 10^6 connections
   * in flight, that lookup was the costliest line of a run).
   */
  private readonly timerConns: (Connection | null)[] = [];
  private readonly freeTimerSlots: number[] = [];
  /**
   * When each slot's timer fires (valid while its connection's `timer` !== -1). Here, not on
   * the Connection: a time past 2^31 ns would be a number object of its own behind the
   * connection, one more cache miss when a denied connect is fast-forwarded; slots are reused,
   * so this array stays warm.
   */
  private timerAts = new Float64Array(1024);
  /** Fast-forwarded connects waiting for their timeout (Fabric.fastForward). */
  private readonly landings = new Landings();
  private readonly onLanding = (landing: number) => this.land(landing);
  private readonly onPingTimeout = (host: number, echoId: number) => this.pingTimeout(host, echoId);
  /** Fabric.retransmissions, by the state they start from. */
  private readonly chains = new Map<TcpClientState, RetransmissionChain | null>();
  private readonly compileReceiversAfter: number;
  /**
   * FabricOptions.changesEndNs (Infinity: no promise), as the fast paths read it: Infinity
   * without them (fastPaths false). `promisedEndNs` is the promise itself (applyChange).
   */
  private readonly changesEndNs: number;
  private readonly promisedEndNs: number;
  /** FabricOptions.fastPaths. */
  readonly fastPaths: boolean;
  /** The hops a packet crosses (path/plan.ts). */
  readonly plan: Plan = CLASSIC_PLAN;
  /** No packet takes longer than this (the largest latency with the largest jitter), ns. */
  private readonly maxLatencyNs: number;
  /** A connect's SYN may be decided as it is sent (connect to transmit), and was denied (back). */
  private synDecidable = false;
  private synDenied = false;
  /** Packets numbered for the trace (TraceSink.packetIds). */
  private tracedPackets = 0;

  constructor(
    private readonly sim: Simulator,
    world: World,
    readonly settings: Settings,
    private readonly trace: TraceSink | null = null,
    options: FabricOptions = {},
  ) {
    this.world = world;
    this.book = new FlowBook(sim, trace);
    this.firstTimers = new DelayLine(sim, this.onTcpTimer);
    this.jitterKey = Math.floor(sim.random('latency').next() * 2 ** 32);
    this.fastPaths = options.fastPaths ?? true;
    this.promisedEndNs = options.changesEndNs ?? Infinity;
    this.changesEndNs = this.fastPaths ? this.promisedEndNs : Infinity;
    this.compileReceiversAfter = options.compileReceiversAfter ?? Receiver.COMPILE_AFTER;
    this.maxLatencyNs = Math.ceil(slowestLatency(settings.latency)) + 1;
    let instances = 0;
    for (const shard of world.instances) for (const _ in shard) instances++;
    // Sized for the world's hosts at once (it grows for launches): grown by doubling, a 10^6-host
    // world's rows were copied some twenty times, and each new array counts against the heap.
    this.hostInfo = new Int32Array(HOST_STRIDE * (instances + Object.keys(world.external).length + 1));
    this.hostPorts = new Int32Array(instances + Object.keys(world.external).length + 1);
    this.byPrivate = new IpMap(instances);
    this.byPublic = new IpMap(instances);
    this.conntrack = new ConnTrackTable(settings.conntrack, options.expectedFlows ?? Math.max(1024, 2 * instances));
    for (const key in world.groups) this.setEffective(world.groups[key]);
    for (const shard of world.instances) for (const name in shard) this.addInstance(shard[name]);
    for (const name in world.external) {
      const e = world.external[name];
      const id = this.newHost(name, true, null, null, [], e.services);
      const h = this.hosts[id];
      h.running = true;
      h.privateIp = e.ip;
      h.publicIp = e.ip;
      this.writeHostInfo(h);
      this.byPublic.set(e.ip, id);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Hosts and addresses

  /** Int32s the rule arena holds now, live and left behind by rule changes (for tests). */
  get ruleArenaSize(): number {
    return this.arena.size;
  }

  /** Client endpoints (connections, UDP and ping sockets) open now, over all hosts. */
  get openEndpoints(): number {
    return this.sockets.size;
  }

  hostId(name: string): number | undefined {
    return this.hostByName.get(name);
  }

  host(name: string): Host | undefined {
    const id = this.hostByName.get(name);
    return id === undefined ? undefined : this.hosts[id];
  }

  private newHost(
    name: string,
    external: boolean,
    region: string | null,
    zone: string | null,
    groupKeys: readonly string[],
    services: readonly Service[],
  ): number {
    const id = this.hosts.length;
    // Hosts with the same services list (the generator's share one per tier) share their ports.
    let ports = this.portsOf.get(services);
    if (ports === undefined) {
      ports = {
        number: this.portLists.length,
        tcp: services.filter((s) => s.protocol === 'tcp').map((s) => s.ports),
        udp: services.filter((s) => s.protocol === 'udp').map((s) => s.ports),
      };
      this.portsOf.set(services, ports);
      this.portLists.push(ports);
    }
    if (id >= this.hostPorts.length) this.hostPorts = grown(this.hostPorts, id + 1);
    this.hostPorts[id] = ports.number;
    this.hosts.push({
      id,
      name,
      external,
      region,
      zone,
      running: false,
      privateIp: 0,
      publicIp: 0,
      groupKeys,
      receiver: null,
      tcpPorts: ports.tcp,
      udpPorts: ports.udp,
      nextEchoId: 1,
    });
    // (rowOf first: it may grow hostInfo, and `this.hostInfo[this.rowOf(id) + …] = …` would
    // write into the array it replaced.)
    const row = this.rowOf(id);
    this.hostInfo[row + H_NEXT_PORT] = EPHEMERAL_FIRST;
    const n = groupKeys.length;
    this.hostInfo[row + H_SENDER] = n > 2 ? -1 : n;
    if (n >= 1 && n <= 2) this.hostInfo[row + H_SENDER0] = this.arena.numberOf(groupKeys[0]);
    if (n === 2) this.hostInfo[row + H_SENDER1] = this.arena.numberOf(groupKeys[1]);
    this.hostByName.set(name, id);
    return id;
  }

  /**
   * Copies a host's routing fields into hostInfo (after any change to them; a new host's
   * once its addresses are set: syncAddresses for an instance, the constructor for a host
   * outside AWS).
   */
  private writeHostInfo(h: Host): void {
    const at = this.rowOf(h.id);
    const info = this.hostInfo;
    info[at + H_PRIVATE] = h.privateIp | 0;
    info[at + H_PUBLIC] = h.publicIp | 0;
    info[at + H_FLAGS] = (h.running ? RUNNING : 0) | (h.external ? EXTERNAL : 0);
    info[at + H_PLACE] = (codeOf(this.regionCodes, h.region) << 16) | codeOf(this.zoneCodes, h.zone);
  }

  private addInstance(inst: Instance): void {
    const id = this.newHost(inst.name, false, inst.region, inst.zone, inst.groups, inst.services);
    for (const k of inst.groups) {
      let m = this.members.get(k);
      if (!m) this.members.set(k, (m = new Set()));
      m.add(id);
    }
    this.receiverOf(this.hosts[id]);
    this.syncAddresses(id, inst);
  }

  /** Brings a host's state and the address maps in line with the world's instance. */
  private syncAddresses(id: number, inst: Instance): void {
    const h = this.hosts[id];
    if (h.privateIp !== 0 && this.byPrivate.get(h.privateIp) === id) this.byPrivate.delete(h.privateIp);
    if (h.publicIp !== 0 && this.byPublic.get(h.publicIp) === id) this.byPublic.delete(h.publicIp);
    const wasRunning = h.running;
    h.running = inst.state === 'running';
    h.privateIp = inst.privateIp ?? 0;
    h.publicIp = inst.elasticIp ?? inst.publicIp ?? 0;
    if (h.privateIp !== 0) this.byPrivate.set(h.privateIp, id);
    if (h.publicIp !== 0) this.byPublic.set(h.publicIp, id);
    this.writeHostInfo(h);
    if (wasRunning && !h.running) {
      // Stopping or terminating drops every endpoint and tracked flow of the host; a flow
      // still waiting for its answer ends now, for that reason.
      const why = `${h.name} was ${inst.state === 'terminated' ? 'terminated' : 'stopped'} while the flow waited for its answer`;
      for (const s of this.sockets.of(id)) {
        if (s.kind === 'tcp') {
          this.cancelTimer(s);
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

  private setEffective(group: SecurityGroup): void {
    this.effective.set(group.key, group);
    this.flat.set(group.key, FlatRules.of(group));
    this.version++;
    if (this.receivers.size > 0 || this.singleReceivers.size > 0) {
      this.receivers.clear();
      this.singleReceivers.clear();
      this.listReceivers.clear();
    }
    const members = this.members.get(group.key);
    if (members) {
      for (const id of members) {
        this.hosts[id].receiver = null;
        const row = this.rowOf(id);
        this.hostInfo[row + H_RULES] = 0;
      }
    }
  }

  /**
   * Links a host to the receiver of its group list: by the list's identity (one lookup; lists
   * are shared), else by its keys (equal lists from elsewhere share one too), else a new one.
   * Called when a host is added, and on a host's next packet after a rule change unlinked it.
   */
  private receiverOf(h: Host): Receiver {
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
          this.compileReceiversAfter,
          keys.map((k) => this.flat.get(k)!),
        );
        map.set(key, r);
      }
      this.listReceivers.set(keys, r);
    }
    h.receiver = r;
    this.linkRules(h.id, r);
    return r;
  }

  /** The host's row in hostInfo (its offset), the array grown to hold it if need be. */
  private rowOf(id: number): number {
    const at = id * HOST_STRIDE;
    if (at + HOST_STRIDE > this.hostInfo.length) this.hostInfo = grown(this.hostInfo, at + HOST_STRIDE);
    return at;
  }

  /**
   * Writes where the host's receiver's groups are (H_RULES, H_GROUP0, H_GROUP1), laying them
   * out in the arena first if they are not there yet: for receivers of at most SCAN_RULES rules,
   * which are never compiled (Receiver.match scans them; the arena scan gives the same
   * answers). Before the arena grows past arenaCompactAt it is laid out again with the groups
   * of the receivers hosts still link (a rule change leaves the old rules behind), so it stays
   * within twice what is in use.
   */
  private linkRules(id: number, r: Receiver): void {
    const at = this.rowOf(id);
    const flats = r.flats;
    if (this.compileReceiversAfter === 0 || r.rules > Receiver.SCAN_RULES || flats.length > ARENA_GROUPS) {
      this.hostInfo[at + H_RULES] = 0;
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
    const info = this.hostInfo;
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
    for (const h of this.hosts) if (h.receiver !== null) this.linkRules(h.id, h.receiver);
    this.arenaCompactAt = Math.max(ARENA_COMPACT_MIN, 2 * this.arena.size);
  }

  /** matchFlat's answer for the host's receiver from the arena (`n` >= 0 of its groups are there: its row's H_RULES & RULES_LAID is n + 1). */
  private arenaMatch(row: number, n: number, protocol: number, key: number, source: number, senderGroups: readonly string[] | null): number {
    if (n === 0) return -1;
    const info = this.hostInfo;
    const p = this.arena.match(info[row + H_GROUP0], 0, protocol, key, source, senderGroups);
    return p >= 0 || n === 1 ? p : this.arena.match(info[row + H_GROUP1], 1, protocol, key, source, senderGroups);
  }

  /** arenaMatch for a sender whose groups its row numbers (H_SENDER >= 0; `sRow`, its row's offset). */
  private arenaMatchNumbered(row: number, n: number, protocol: number, key: number, source: number, sRow: number): number {
    if (n === 0) return -1;
    const info = this.hostInfo;
    const count = info[sRow + H_SENDER];
    const g0 = info[sRow + H_SENDER0];
    const g1 = info[sRow + H_SENDER1];
    const p = this.arena.matchNumbered(info[row + H_GROUP0], 0, protocol, key, source, count, g0, g1);
    return p >= 0 || n === 1 ? p : this.arena.matchNumbered(info[row + H_GROUP1], 1, protocol, key, source, count, g0, g1);
  }

  // The result of route(), written by it and read at once by its caller: no object per packet.
  private rTarget = -1;
  /** The address the packet travels to after any redirect. */
  private rWireDst = 0;
  /** Source and destination as the receiver sees them (destination: private address after NAT). */
  private rSeenSrc = 0;
  private rSeenDst = 0;
  private rPrivatePath = false;
  private rRedirected = false;

  /**
   * Routes a packet from `s` addressed to `dst` (domain.md §4): fills the r* fields and returns
   * null, or returns why there is no route.
   */
  private route(from: number, dst: Ip): string | null {
    const info = this.hostInfo;
    const s = from * HOST_STRIDE;
    const priv = this.byPrivate.get(dst);
    if (priv >= 0) {
      if (info[s + H_FLAGS] & EXTERNAL) return `${formatIp(dst)} is a private address, not reachable from outside AWS`;
      const t = priv * HOST_STRIDE;
      this.rTarget = priv;
      this.rSeenDst = info[t + H_PRIVATE] >>> 0;
      if (info[t + H_PLACE] >>> 16 === info[s + H_PLACE] >>> 16) {
        this.rWireDst = dst;
        this.rSeenSrc = info[s + H_PRIVATE] >>> 0;
        this.rPrivatePath = true;
        this.rRedirected = false;
      } else {
        // The seed: requests from another region to a private IP are redirected to the public IP.
        this.rWireDst = info[t + H_PUBLIC] >>> 0;
        this.rSeenSrc = info[s + H_PUBLIC] >>> 0;
        this.rPrivatePath = false;
        this.rRedirected = true;
      }
      return null;
    }
    const pub = this.byPublic.get(dst);
    if (pub >= 0) {
      this.rTarget = pub;
      this.rWireDst = dst;
      this.rSeenSrc = info[s + H_PUBLIC] >>> 0;
      this.rSeenDst = info[pub * HOST_STRIDE + H_PRIVATE] >>> 0;
      this.rPrivatePath = false;
      this.rRedirected = false;
      return null;
    }
    return `no running host holds ${formatIp(dst)}`;
  }

  /** Fills the r* fields (as route() does) from a packet the plan's route hop rewrote. */
  private routedAs(q: PathPacket): void {
    this.rTarget = q.receiver;
    this.rWireDst = q.wireDst;
    this.rSeenSrc = q.source;
    this.rSeenDst = q.destination;
    this.rPrivatePath = q.privatePath;
    this.rRedirected = q.redirected;
  }

  /**
   * One packet's latency. Its jitter is the packet's own draw: the n-th packet of a flow draws
   * (flow serial, n), where flows are numbered as they send their first packet; packets with
   * no flow record draw in the order they are sent. So how many packets one flow sends never
   * shifts another flow's latencies: a retransmission more or less changes nothing else.
   */
  private latency(from: number, to: number, privatePath: boolean, flow: FlowRecord | null): number {
    const l = this.settings.latency;
    const info = this.hostInfo;
    const sp = info[from * HOST_STRIDE + H_PLACE];
    const tp = info[to * HOST_STRIDE + H_PLACE];
    let base: number;
    if ((info[from * HOST_STRIDE + H_FLAGS] | info[to * HOST_STRIDE + H_FLAGS]) & EXTERNAL) base = l.internet;
    else if (sp >>> 16 !== tp >>> 16) base = l.crossRegion;
    else if (!privatePath) base = l.publicPath;
    else base = (sp & 0xffff) === (tp & 0xffff) ? l.sameZone : l.crossZone;
    let u: number;
    if (flow !== null) {
      if (flow.serial === 0) flow.serial = ++this.flowSerials;
      u = keyedUniform(this.jitterKey, flow.serial, flow.sent++);
    } else u = keyedUniform(this.jitterKey, 0, this.unflowedSent++);
    if (l.jitter > 0) base = base * (1 + l.jitter * (2 * u - 1));
    return Math.max(1, Math.round(base));
  }

  // -------------------------------------------------------------------------------------------
  // Sending and receiving

  /**
   * Sends one packet from host `from` to address `dst`. Returns null when it left, or the
   * reason it could not (no route, sender not running) after recording it on the flow.
   */
  private transmit(
    from: number,
    dst: Ip,
    proto: number,
    sport: number,
    dport: number,
    flags: number,
    flow: FlowRecord | null,
    request: boolean,
  ): ExplanationCode | null {
    const flagsOf = this.hostInfo[from * HOST_STRIDE + H_FLAGS];
    let noRoute: string | null;
    if (this.fastPaths) {
      if (!(flagsOf & RUNNING)) {
        if (flow && request) this.book.failFlow(flow, 'SOURCE_NOT_RUNNING', `${this.hosts[from].name} is not running, so it sends nothing`);
        return 'SOURCE_NOT_RUNNING';
      }
      noRoute = this.route(from, dst);
    } else {
      // The reference: the plan's hops on the sender's side (sender, route).
      const r = runHops(this.plan, 'send', packetOf(from, dst, proto, sport, dport, flags, request, flow), this.pathWorld);
      if (r.drop !== null && r.drop.code === 'SOURCE_NOT_RUNNING') {
        if (flow && request) this.book.failFlow(flow, 'SOURCE_NOT_RUNNING', r.drop.why.message);
        return 'SOURCE_NOT_RUNNING';
      }
      noRoute = r.drop !== null ? r.drop.why.message : null;
      if (noRoute === null) this.routedAs(r.packet);
    }
    this.stats.packets++;
    if (noRoute !== null) {
      const s = this.hosts[from];
      this.stats.drops++;
      if (this.trace) this.emit('drop', { flow: flow?.index ?? null, host: s.name, proto: protocolName(proto), src: formatIp(s.privateIp), dst: formatIp(dst), code: 'NO_ROUTE_TO_DESTINATION', ...(this.trace.packetIds ? { pkt: ++this.tracedPackets, ...packetFields(proto, sport, dport, flags) } : {}) });
      if (flow && request) {
        // The path it was sent on: a private (10/8) address from an instance, else public.
        if (flow.path === null) flow.path = !s.external && isClassicPrivate(dst) ? 'private' : 'public';
        if (flow.redirected === null) flow.redirected = false;
        this.book.recordDrop(flow, { code: 'NO_ROUTE_TO_DESTINATION', message: noRoute });
      } else if (flow) {
        this.book.recordDrop(flow, { code: 'NO_ROUTE_TO_DESTINATION', message: `the answer from ${s.name} found no host: ${noRoute}` }, false);
      }
      return 'NO_ROUTE_TO_DESTINATION';
    }
    const target = this.rTarget;
    const wireDst = this.rWireDst;
    const privatePath = this.rPrivatePath;
    const redirected = this.rRedirected;
    if (flow && request && flow.path === null) {
      flow.path = privatePath ? 'private' : 'public';
      flow.redirected = redirected;
    }
    // Outbound is never filtered in classic; it is tracked so replies come back.
    // ICMP echo is tracked by addresses, echo id and which side sent the request (as Linux
    // conntrack's original/reply tuples): 1 = this host asked, 2 = the remote host asked.
    if (!(flagsOf & EXTERNAL)) this.conntrack.track(from, proto, wireDst, sport, proto === ICMP ? ((dport >> 16) === ICMP_ECHO_REQUEST ? 1 : 2) : dport, this.sim.now, OUTBOUND, flags);
    const delay = this.latency(from, target, privatePath, flow);
    if (this.synDecidable && this.deniedAsSent(flow!, from, target, sport, dport, privatePath, redirected, wireDst)) {
      this.synDenied = true;
      return null;
    }
    const p = this.packets.alloc();
    const d = this.packets.data;
    const o = p * P_STRIDE;
    d[o + P_KIND] = proto | (flags << 8) | (privatePath ? 1 << 16 : 0) | (request ? 1 << 17 : 0);
    d[o + P_SRC] = this.rSeenSrc;
    d[o + P_DST] = this.rSeenDst;
    d[o + P_WIRE_DST] = wireDst;
    d[o + P_SPORT] = sport;
    d[o + P_DPORT] = dport;
    d[o + P_SRC_HOST] = from;
    d[o + P_DST_HOST] = target;
    d[o + P_VERSION] = this.version;
    if (this.trace?.packetIds) d[o + P_TRACE_ID] = ++this.tracedPackets;
    this.packets.flow[p] = flow;
    if (flow !== null && request) flow.requestsInFlight++;
    if (this.trace) {
      const s = this.hosts[from];
      this.emit('send', {
        flow: flow?.index ?? null,
        host: s.name,
        proto: protocolName(proto),
        src: formatIp(s.privateIp),
        dst: formatIp(dst),
        ...packetFields(proto, sport, dport, flags),
        path: privatePath ? 'private' : 'public',
        ...(this.trace.packetIds ? { pkt: d[o + P_TRACE_ID] } : {}),
      });
      if (redirected) this.emit('redirect', { flow: flow?.index ?? null, from: formatIp(dst), to: formatIp(wireDst) });
      if (!privatePath && !s.external) this.emit('nat', { flow: flow?.index ?? null, side: 'source', from: formatIp(s.privateIp), to: formatIp(this.rSeenSrc) });
    }
    this.sim.schedule(delay, this.onArrive, p);
    return null;
  }

  /**
   * Decides a connect's first SYN where it is sent, as its arrival would (connect, when
   * settledChain allows): if the receiver's rules will deny it, records the drop and its
   * reasons on the flow as arrive() would have, accounts for its arrival's event, and returns
   * true (the packet is never made); else false, and nothing is done.
   * The arrival would decide the same: nothing can change before it. No change is to come and
   * none is propagating (settledChain), so the receiver, its addresses, rules and state, the
   * sender's address and groups are as now; the receiver's conntrack table has no entry for
   * the packet (a miss, not an expired entry), and none can appear before the packet arrives:
   * an entry is made by a packet of the same tuple, either from the receiver's port `dport`
   * (not an ephemeral port, so not a connect's or send's: setNextPort; only a server's answer
   * sends from it, and only to a packet the rules admitted) or from the sender's
   * address and port `sport` to `dport`, which these rules deny.
   * Classic-only facts this assumes (a VPC plan must re-prove them): the receiver's groups and
   * conntrack are the only filters on the way (no egress rules, NACLs or routes to consult).
   */
  private deniedAsSent(flow: FlowRecord, from: number, to: number, sport: number, dport: number, privatePath: boolean, redirected: boolean, wireDst: Ip): boolean {
    const src = this.rSeenSrc;
    const dst = this.rSeenDst;
    const row = to * HOST_STRIDE;
    const tFlags = this.hostInfo[row + H_FLAGS];
    // As arrive() checks (a public address goes to whoever holds it): the receiver is there.
    if (!(tFlags & RUNNING) || tFlags & EXTERNAL || this.hostInfo[row + H_PRIVATE] >>> 0 !== dst) return false;
    if (redirected && this.byPublic.get(wireDst) !== to) return false;
    if (this.conntrack.lookup(to, TCP, src, dport, sport, this.sim.now) !== MISS) return false;
    if (this.filter(to, from, TCP, dport, src, privatePath) >= 0) return false;
    this.stats.drops++;
    this.book.deniedAt(flow, src, dst);
    this.book.recordDrop(flow, this.deny(to, from, TCP, dport, src, privatePath, dst, false), true);
    flow.explanationVersion = this.version;
    flow.explanationSource = src;
    this.sim.elide(1); // its arrival
    return true;
  }

  private arrive(p: number): void {
    const d = this.packets.data;
    const o = p * P_STRIDE;
    const kind = d[o + P_KIND];
    let to = d[o + P_DST_HOST];
    const proto = kind & 0xff;
    const src = d[o + P_SRC] >>> 0;
    let dst = d[o + P_DST] >>> 0;
    const sport = d[o + P_SPORT];
    const dport = d[o + P_DPORT];
    const flags = (kind >> 8) & 0xff;
    const flow = this.packets.flow[p];
    const request = (kind & (1 << 17)) !== 0;
    const from = d[o + P_SRC_HOST];
    const privatePath = (kind & (1 << 16)) !== 0;
    const wireDst = d[o + P_WIRE_DST] >>> 0;
    const sentVersion = d[o + P_VERSION];
    const id = this.trace?.packetIds ? { pkt: d[o + P_TRACE_ID] } : null;
    this.packets.release(p);
    const now = this.sim.now;
    if (flow !== null && request) flow.requestsInFlight--;
    if (!this.fastPaths) {
      this.arriveByPlan({ protocol: proto, flags, sport, dport, sender: from, addressed: wireDst, wireDst, source: src, destination: dst, receiver: to, privatePath, redirected: false, request, flow }, id);
      return;
    }

    if (!privatePath) {
      // Public addresses are translated where the packet arrives: it goes to whoever holds
      // the address now (an Elastic IP moved while it travelled reaches its new holder).
      const holder = this.byPublic.get(wireDst);
      if (holder >= 0 && holder !== to) {
        to = holder;
        dst = this.hostInfo[holder * HOST_STRIDE + H_PRIVATE] >>> 0;
      } else if (holder < 0) dst = 0;
    }
    // The receiver's Host object is read only to explain (names, its receiver's groups), or to
    // reach its receiver when its rules are not laid out in the arena: its row, and the small
    // tables by host number, say the rest.
    const tFlags = this.hostInfo[to * HOST_STRIDE + H_FLAGS];
    // dst 0: nobody holds the public address now (a running host's private address is never 0).
    if (!(tFlags & RUNNING) || this.hostInfo[to * HOST_STRIDE + H_PRIVATE] >>> 0 !== dst) {
      const t = this.hosts[to];
      this.stats.drops++;
      const gone = privatePath ? dst : wireDst;
      if (this.trace) this.emit('drop', { flow: flow?.index ?? null, host: t.name, proto: protocolName(proto), dst: formatIp(gone), code: 'NO_ROUTE_TO_DESTINATION', ...id });
      if (flow) this.book.recordDrop(flow, { code: 'NO_ROUTE_TO_DESTINATION', message: `${t.name} no longer holds ${formatIp(gone)}${request ? '' : ' (the answer found no host)'}` }, request);
      return;
    }
    if (!privatePath && this.trace && !(tFlags & EXTERNAL)) {
      this.emit('nat', { flow: flow?.index ?? null, side: 'destination', from: formatIp(wireDst), to: formatIp(dst), ...id });
    }
    const key = proto === ICMP ? icmpKey(dport >> 16, dport & 0xffff) : dport;
    const ctPorts = proto === ICMP ? sport : dport;
    const ctRemotePort = proto === ICMP ? ((dport >> 16) === ICMP_ECHO_REQUEST ? 2 : 1) : sport;

    // Explanations are built only for someone who reads them: a flow record or the trace. Why a
    // packet was let in is read only for a request (its flow's admission), not for an answer.
    const observed = flow !== null || this.trace !== null;
    const explainAdmission = this.trace !== null || (flow !== null && request);
    let via: Explanation | null = null;
    if (!(tFlags & EXTERNAL)) {
      const slot = this.conntrack.lookup(to, proto, src, ctPorts, ctRemotePort, now);
      if (slot >= 0) {
        this.conntrack.touch(slot, now, INBOUND, flags);
        if (this.trace) this.emit('conntrack', { host: this.hosts[to].name, hit: true, src: formatIp(src), dst: formatIp(dst), ...id });
        if (explainAdmission) via = { code: 'TRACKED_CONNECTION', message: `part of a tracked flow of ${this.hosts[to].name}; replies and tracked flows pass regardless of rules` };
      } else if (flow !== null && request && slot === MISS && this.sameAsDenied(flow, src)) {
        // A retransmission of a request the rules denied, from the same source and with nothing
        // changed since (no rule, membership, address or lifecycle change: `version` counts
        // them all): the same packet meets the same rules: the same verdict, the same reasons.
        const denial = flow.explanation!;
        this.stats.drops++;
        this.book.deniedAt(flow, src, dst);
        if (this.trace) this.emit('drop', { flow: flow.index, host: this.hosts[to].name, proto: protocolName(proto), src: formatIp(src), dst: formatIp(dst), dport: proto === ICMP ? undefined : dport, code: denial.code, ...id });
        this.book.recordDrop(flow, denial, request);
        if (proto === TCP && flags === F_SYN && this.sim.now > this.changesEndNs) this.fastForward(flow, from, sport, dport, src, to, privatePath, sentVersion);
        return;
      } else {
        const packed = this.filter(to, from, proto, key, src, privatePath);
        if (packed < 0) {
          this.stats.drops++;
          if (!observed) return;
          let denial: Explanation;
          if (flow !== null && request && slot !== EXPIRED && this.sameAsDenied(flow, src)) {
            denial = flow.explanation!; // a retransmission meets the same rules: same reasons
          } else {
            denial = this.deny(to, from, proto, key, src, privatePath, dst, slot === EXPIRED);
          }
          if (this.trace) this.emit('drop', { flow: flow?.index ?? null, host: this.hosts[to].name, proto: protocolName(proto), src: formatIp(src), dst: formatIp(dst), dport: proto === ICMP ? undefined : dport, code: denial.code, ...id });
          if (flow) {
            if (request) this.book.deniedAt(flow, src, dst);
            this.book.recordDrop(flow, denial, request);
            if (request) {
              flow.explanationVersion = this.version;
              flow.explanationSource = src;
              if (proto === TCP && flags === F_SYN && slot === MISS && this.sim.now > this.changesEndNs) this.fastForward(flow, from, sport, dport, src, to, privatePath, sentVersion);
            }
          }
          return;
        }
        this.conntrack.track(to, proto, src, ctPorts, ctRemotePort, now, INBOUND, flags);
        if (explainAdmission) {
          // In a world that no longer changes, the admitting rule is looked up when first read.
          if (this.settled()) via = new RuleAdmission(null, null, this.directory, to, packed);
          else {
            const adm = admissionOf(this.hosts[to].receiver!.groups, packed);
            via = new RuleAdmission(adm.group.key, adm.rule);
          }
        }
      }
    } else if (explainAdmission) {
      via = { code: 'NOT_FILTERED', message: `${this.hosts[to].name} is outside AWS: no security group filters it` };
    }
    this.stats.delivered++;
    if (this.trace) this.emit('deliver', { flow: flow?.index ?? null, host: this.hosts[to].name, proto: protocolName(proto), src: formatIp(src), dst: formatIp(dst), by: via!.code, ...id });
    if (flow && request && flow.admission === null) {
      this.book.admittedAt(flow, src, dst);
      flow.admission = via;
    }
    this.deliver(to, proto, src, sport, dport, flags, flow, request, via, null);
  }

  /**
   * arrive() by the plan alone (fastPaths false): the hops on the receiver's side (NAT at
   * arrival, connection tracking, the groups, the host) decide, and this applies what they
   * said: counters, conntrack, the trace, the flow record, and the host's action.
   */
  private arriveByPlan(start: PathPacket, id: { pkt: number } | null): void {
    const flow = start.flow as FlowRecord | null;
    const { protocol: proto, flags, sport, dport, request } = start;
    const now = this.sim.now;
    const r = runHops(this.plan, 'arrive', start, this.pathWorld);
    const q = r.packet;
    const to = q.receiver;
    const src = q.source;
    const dst = q.destination;
    const name = this.hosts[to].name;
    if (r.drop !== null && r.drop.final) {
      // NAT at arrival: nobody (or somebody else) holds the address now.
      this.stats.drops++;
      const gone = q.privatePath ? dst : q.wireDst;
      if (this.trace) this.emit('drop', { flow: flow?.index ?? null, host: name, proto: protocolName(proto), dst: formatIp(gone), code: 'NO_ROUTE_TO_DESTINATION', ...id });
      if (flow) this.book.recordDrop(flow, r.drop.why, request);
      return;
    }
    const external = this.hosts[to].external;
    if (!q.privatePath && this.trace && !external) this.emit('nat', { flow: flow?.index ?? null, side: 'destination', from: formatIp(q.wireDst), to: formatIp(dst), ...id });
    if (r.tracked >= 0) {
      this.conntrack.touch(r.tracked, now, INBOUND, flags);
      if (this.trace) this.emit('conntrack', { host: name, hit: true, src: formatIp(src), dst: formatIp(dst), ...id });
    }
    if (r.drop !== null) {
      // The groups denied it.
      this.stats.drops++;
      const denial = explain(r)!;
      if (this.trace) this.emit('drop', { flow: flow?.index ?? null, host: name, proto: protocolName(proto), src: formatIp(src), dst: formatIp(dst), dport: proto === ICMP ? undefined : dport, code: denial.code, ...id });
      if (flow) {
        if (request) this.book.deniedAt(flow, src, dst);
        this.book.recordDrop(flow, denial, request);
        if (request) {
          flow.explanationVersion = this.version;
          flow.explanationSource = src;
        }
      }
      return;
    }
    // Admitted by the rules (not by tracking, not unfiltered): the flow is tracked from now.
    if (r.tracked < 0 && !external) {
      const k = trackedPorts(q);
      this.conntrack.track(to, proto, src, k.local, k.remote, now, INBOUND, flags);
    }
    const via = r.admitted!;
    this.stats.delivered++;
    if (this.trace) this.emit('deliver', { flow: flow?.index ?? null, host: name, proto: protocolName(proto), src: formatIp(src), dst: formatIp(dst), by: via.code, ...id });
    if (flow && request && flow.admission === null) {
      this.book.admittedAt(flow, src, dst);
      flow.admission = via;
    }
    this.deliver(to, proto, src, sport, dport, flags, flow, request, via, r.action);
  }

  /**
   * The way a packet from host `from` to `dst` (protocol, destination port; icmp: type << 16 |
   * code; from local port `sport`, with TCP `flags`) would take now, hop by hop: the whole plan
   * run at once, without time (a question: nothing is sent, tracked or counted).
   */
  wayOf(from: number, dst: Ip, protocol: number, dport: number, sport = EPHEMERAL_FIRST, flags = protocol === TCP ? F_SYN : 0): PathResult {
    return runPlan(this.plan, packetOf(from, dst, protocol, sport, dport, flags, true, null), this.pathWorld);
  }

  /** The world in force as the plan's hops read it (path/hop.ts PathWorld): the fabric's tables now. */
  private readonly pathWorld: PathWorld = {
    nameOf: (h) => this.hosts[h].name,
    running: (h) => (this.hostInfo[h * HOST_STRIDE + H_FLAGS] & RUNNING) !== 0,
    external: (h) => (this.hostInfo[h * HOST_STRIDE + H_FLAGS] & EXTERNAL) !== 0,
    regionOf: (h) => this.hostInfo[h * HOST_STRIDE + H_PLACE] >>> 16,
    privateIpOf: (h) => this.hostInfo[h * HOST_STRIDE + H_PRIVATE] >>> 0,
    publicIpOf: (h) => this.hostInfo[h * HOST_STRIDE + H_PUBLIC] >>> 0,
    holderOfPrivate: (ip) => this.byPrivate.get(ip),
    holderOfPublic: (ip) => this.byPublic.get(ip),
    tracked: (h, proto, remote, local, remotePort) => this.conntrack.lookup(h, proto, remote, local, remotePort, this.sim.now),
    expiredFacts: () => ({ idleNs: this.conntrack.expiredIdle, timeoutNs: this.conntrack.expiredTimeout }),
    groupsInForce: (h) => {
      const t = this.hosts[h];
      return (t.receiver ?? this.receiverOf(t)).groups;
    },
    senderGroups: (h) => {
      const f = this.hostInfo[h * HOST_STRIDE + H_FLAGS];
      return f & RUNNING && !(f & EXTERNAL) ? this.hosts[h].groupKeys : null;
    },
    pendingWouldAdmit: (h, view) => this.pendingWouldAdmit(this.hosts[h], view),
    listens: (h, proto, port) => listens(proto === TCP ? this.portLists[this.hostPorts[h]].tcp : this.portLists[this.hostPorts[h]].udp, port),
    clientTakes: (h, q) => this.clientTakes(h, q.sport, q.dport, q.source, q.flags, q.flow),
  };

  /**
   * Whether a client socket of host `to` takes a TCP segment from `src`:`sport` to its port
   * `dport`: the socket talks to that address and port, and an answer to a SYN (a SYN-ACK, or
   * an RST while it is still opening) answers one of its own SYNs (as a real one acknowledges
   * its SYN's sequence number: its flow is the socket's), not a late answer to an earlier
   * connect from the same port (B16, B18).
   */
  private clientTakes(to: number, sport: number, dport: number, src: Ip, flags: number, flow: object | null): boolean {
    const sock = this.sockets.get(to, TCP * 65536 + dport);
    return sock !== undefined && sock.kind === 'tcp' && sock.remotePort === sport && sock.remote === src && (flow === sock.flow || !answersSyn(flags, sock.state));
  }

  /**
   * Whether a request of `flow` from `src` is the packet its last denial was for, met by the
   * same world: the flow is undecided (its explanation is that denial), and neither the
   * fabric's version nor the source the receiver sees has changed (a sender's address can
   * change between two of its SYNs, and then one may be denied and the next admitted).
   */
  private sameAsDenied(flow: FlowRecord, src: Ip): boolean {
    return flow.outcome === null && flow.explanation !== null && flow.explanationVersion === this.version && flow.explanationSource === src;
  }

  /**
   * The verdict of the rules in force at host `to` (its receiver's) on a packet from host
   * `from` (conntrack apart): the admitting rule, packed as policy/evaluate.ts admissionOf reads
   * it, or < 0. The rules from the arena when the host's row says where (no object read), else
   * through the receiver (linked on first use after a rule change). The sender's groups (which
   * a private path keeps; running and outside AWS from its row) are read from its Host object
   * only when those rules name a group.
   */
  private filter(to: number, from: number, proto: number, key: number, src: Ip, privatePath: boolean): number {
    const sRow = from * HOST_STRIDE;
    const sFlags = this.hostInfo[sRow + H_FLAGS];
    const groupsKept = privatePath && sFlags & RUNNING && !(sFlags & EXTERNAL);
    const row = to * HOST_STRIDE;
    const rules = this.hostInfo[row + H_RULES];
    const laid = (rules & RULES_LAID) - 1;
    if (laid >= 0) {
      if (!(groupsKept && rules & RULES_REFS)) return this.arenaMatch(row, laid, proto, key, src, null);
      if (this.hostInfo[sRow + H_SENDER] >= 0) return this.arenaMatchNumbered(row, laid, proto, key, src, sRow);
      return this.arenaMatch(row, laid, proto, key, src, this.hosts[from].groupKeys);
    }
    const t = this.hosts[to];
    return (t.receiver ?? this.receiverOf(t)).match(proto, key, src, groupsKept ? this.hosts[from].groupKeys : null);
  }

  /**
   * Whether the world no longer changes: past the promised end of changes
   * (FabricOptions.changesEndNs), with no rule change still propagating.
   */
  private settled(): boolean {
    return this.pending.size === 0 && this.sim.now > this.changesEndNs;
  }

  /** Why the groups in force at host `to` (its Receiver's) deny the packet filter() denied. */
  private deny(to: number, from: number, proto: number, key: number, src: Ip, privatePath: boolean, dst: Ip, expired: boolean): Explanation {
    const rules = this.hostInfo[to * HOST_STRIDE + H_RULES];
    // How many of the receiver's groups are laid out in the arena (the host's row says where), or -1.
    const laid = (rules & RULES_LAID) - 1;
    if (laid >= 0) this.arenaDenialFacts(to, from, rules, proto, key, privatePath);
    if (laid >= 0 && !expired && this.settled()) {
      // A world that no longer changes: the denial keeps the hosts' numbers (this.directory),
      // not their names and groups, and reads no Host object (two cache misses in a large
      // world: the host array's slot and the object) unless its message is written, or a
      // sender of more than two groups lost a group rule on the public path.
      const sFlags = this.hostInfo[from * HOST_STRIDE + H_FLAGS];
      const keeps = (sFlags & RUNNING) !== 0 && !(sFlags & EXTERNAL);
      const named = keeps && !privatePath && (rules & RULES_REFS) !== 0 && this.hostInfo[from * HOST_STRIDE + H_SENDER] < 0;
      return settledDenial(this.directory, this.dHasRules, this.dLost, proto, key, src, privatePath, keeps ? (named ? this.hosts[from].groupKeys : undefined) : null, to, from, dst) as Explanation;
    }
    const t = this.hosts[to];
    const s = this.hosts[from];
    const receiver = t.receiver!;
    const sFlags = this.hostInfo[from * HOST_STRIDE + H_FLAGS];
    const senderGroups = sFlags & RUNNING && !(sFlags & EXTERNAL) ? s.groupKeys : null;
    const pending = this.pending.size === 0 ? null : this.pendingWouldAdmit(t, { protocol: proto, key, source: src, privatePath, senderGroups });
    const conntrackExpired = expired ? { idleNs: this.conntrack.expiredIdle, timeoutNs: this.conntrack.expiredTimeout } : null;
    let hasRules: boolean;
    let lost: number;
    if (laid >= 0) {
      hasRules = this.dHasRules;
      lost = this.dLost;
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

  // What arenaDenialFacts found, read at once by deny: no object per denial.
  private dHasRules = false;
  private dLost = -1;

  /**
   * The facts a denial's codes are decided from, for a receiver whose `rules` (its row's
   * H_RULES) are laid out in the arena, as the scan that denied the packet read them: whether
   * any of its groups has a rule (dHasRules), and the group rule a public-path packet from an
   * instance lost (dLost: policy/evaluate.ts lostGroupRule), looked for only when the
   * receiver's rules name a group: by the numbers in the sender's row, or its group keys when
   * it has more than two. One loop for deny's two cases (a settled world or not).
   */
  private arenaDenialFacts(to: number, from: number, rules: number, proto: number, key: number, privatePath: boolean): void {
    const info = this.hostInfo;
    const sRow = from * HOST_STRIDE;
    const sFlags = info[sRow + H_FLAGS];
    const seek = (sFlags & RUNNING) !== 0 && !(sFlags & EXTERNAL) && !privatePath && (rules & RULES_REFS) !== 0;
    const count = info[sRow + H_SENDER];
    const senderGroups = seek && count < 0 ? this.hosts[from].groupKeys : null;
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

  /** Hosts by number for settled denials: in a world that no longer changes, what they hold when a message is written is what they held when it was denied. */
  private readonly directory: HostDirectory = {
    nameOf: (id) => this.hosts[id].name,
    groupsAt: (id) => this.hosts[id].receiver!.groups,
    senderGroupsOf: (id) => {
      const f = this.hostInfo[id * HOST_STRIDE + H_FLAGS];
      return f & RUNNING && !(f & EXTERNAL) ? this.hosts[id].groupKeys : null;
    },
  };

  /** Would the rules as configured (changes still propagating included) admit the packet? */
  private pendingWouldAdmit(t: Host, view: IngressView): { group: string; effectiveAtNs: number } | null {
    if (this.pending.size === 0) return null;
    const configured = t.groupKeys.map((k) => this.world.groups[k]);
    const adm = admitLinear(configured, view);
    if (!adm) return null;
    const times = this.pending.get(adm.group.key);
    if (!times || times.length === 0) return null;
    return { group: adm.group.key, effectiveAtNs: times[0] };
  }

  /**
   * Hands an admitted packet to the receiving host, which does what the plan's host hop says
   * (path/host.ts hostAction; `action`, if the plan already asked it).
   */
  private deliver(
    to: number,
    proto: number,
    src: Ip,
    sport: number,
    dport: number,
    flags: number,
    flow: FlowRecord | null,
    request: boolean,
    via: Explanation | null,
    action: HostAction | null,
  ): void {
    if (action === null) {
      const tcp = proto === TCP;
      const ports = this.portLists[this.hostPorts[to]];
      const listening = tcp ? listens(ports.tcp, dport) : proto === UDP && !(flags & UDP_ECHO) && listens(ports.udp, dport);
      action = hostAction(proto, flags, dport, tcp && this.clientTakes(to, sport, dport, src, flags, flow), listening);
    }
    switch (action.kind) {
      case 'client':
        this.clientSegment(to, this.sockets.get(to, TCP * 65536 + dport) as Connection, flags);
        return;
      case 'server': {
        const reply = action.reply;
        if (flow && request) {
          if (flags & F_DATA) this.book.resolve(flow, 'delivered', via);
          if ((flags & F_SYN) && reply === F_RST && via) {
            const message = `${this.hosts[to].name} has no listener on tcp/${dport}; it answered RST (${via.message})`;
            // (Read by name: a RuleAdmission's group and rule are getters, which spreading would not copy.)
            flow.admission = via.group !== undefined ? { code: 'CONNECTION_REFUSED', group: via.group, rule: via.rule, message } : { code: 'CONNECTION_REFUSED', message };
          }
        }
        if (reply) this.transmit(to, src, TCP, dport, sport, reply, flow, false);
        return;
      }
      case 'echo-consumed':
        // An echo (a service's answer) is consumed by whoever receives it, never answered again.
        this.stats.udpEchoesDelivered++;
        return;
      case 'datagram':
        this.stats.udpDelivered++;
        if (flow && request && via) this.book.datagramDecided(flow, false, via);
        if (action.echo) this.transmit(to, src, UDP, dport, sport, UDP_ECHO, flow, false);
        return;
      case 'echo-request':
        // ICMP: dport carries type << 16 | code; sport the echo id.
        this.transmit(to, src, ICMP, sport, (ICMP_ECHO_REPLY << 16) | 0, 0, flow, false);
        return;
      case 'echo-reply': {
        const sock = this.sockets.get(to, ICMP * 65536 + sport);
        if (sock && sock.kind === 'icmp') {
          this.sim.cancel(sock.timer);
          this.sockets.delete(to, ICMP * 65536 + sport);
          this.book.resolve(sock.flow, 'replied', sock.flow.admission ?? via);
        }
        return;
      }
      case 'none':
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Flow records

  // -------------------------------------------------------------------------------------------
  // Endpoints: the actions a scenario can take

  /** The host's next ephemeral port (its row's H_NEXT_PORT), which moves on by one. */
  private ephemeralPort(id: number): number {
    const at = id * HOST_STRIDE + H_NEXT_PORT;
    const p = this.hostInfo[at];
    this.hostInfo[at] = p >= EPHEMERAL_LAST ? EPHEMERAL_FIRST : p + 1;
    return p;
  }

  /**
   * Sets the local port the host's next connect or UDP send takes (as after its ephemeral
   * ports wrapped round): for tests and tools that need two endpoints on one port. Only an
   * ephemeral port (32768-60999), as wrapping gives: a host's connects and sends never leave
   * from another, which the fast-forward of denied connects relies on (a receiver answers from
   * a port outside that range only to a packet its rules admitted).
   */
  setNextPort(id: number, port: number): void {
    if (!Number.isInteger(port) || port < EPHEMERAL_FIRST || port > EPHEMERAL_LAST) {
      throw new RangeError(`a local port is an ephemeral port, an integer ${EPHEMERAL_FIRST} to ${EPHEMERAL_LAST}, got ${port}`);
    }
    if (this.hosts[id] === undefined) throw new RangeError(`no host has id ${id}`);
    this.hostInfo[id * HOST_STRIDE + H_NEXT_PORT] = port;
  }

  /**
   * Opens a TCP connection from `from` to `dst:port`. `noLaterActions`: the caller promises
   * never to transfer on it or close it, which lets the fabric fast-forward it if it is denied.
   */
  connect(flow: FlowRecord, from: number, dst: Ip, port: number, noLaterActions = false): Connection | null {
    return this.openTcp(flow, from, dst, port, noLaterActions, true);
  }

  /**
   * connect() for a caller that will never act on the connection (no transfer, no close: as
   * connect's `noLaterActions`) and needs no handle to it: bulk traffic (the runner's connects
   * no later entry names, a benchmark's flows). The flow record says what became of it. A
   * denied connect decided as it is sent then leaves nothing behind but its landing (connect
   * would make its Connection object for the caller).
   */
  connectDetached(flow: FlowRecord, from: number, dst: Ip, port: number): void {
    this.openTcp(flow, from, dst, port, true, false);
  }

  /** connect() and connectDetached(): `handle`, whether the caller wants the Connection back. */
  private openTcp(flow: FlowRecord, from: number, dst: Ip, port: number, noLaterActions: boolean, handle: boolean): Connection | null {
    flow.to = dst;
    flow.port = port;
    const localPort = this.ephemeralPort(from);
    const step = tcpOpen(this.sim.now, this.settings.tcp);
    // When nothing can change any more, the SYN is decided as it is sent (deniedAsSent): a
    // denied one is fast-forwarded at once, with neither socket nor timer (what fastForward
    // does at its arrival, and as it would have).
    const chain = noLaterActions ? this.settledChain(step, port, flow) : null;
    this.synDecidable = chain !== null;
    const err = this.transmit(from, dst, TCP, localPort, port, step.send, flow, true);
    this.synDecidable = false;
    if (err === 'SOURCE_NOT_RUNNING') return null;
    // Where transmit() routed it (after any redirect).
    const remote = err === null ? this.rWireDst : dst;
    const conn: Connection | null = handle || !this.synDenied ? this.newConnection(flow, from, localPort, remote, port, step.state, noLaterActions) : null;
    if (this.synDenied) {
      this.synDenied = false;
      // As its socket would have: the port serves this connect, so a connection that held it
      // holds it no more (and then fastForward would have dropped it).
      if (this.hostInfo[from * HOST_STRIDE + H_HAD_TCP] !== 0) this.sockets.delete(from, TCP * 65536 + localPort);
      const timerAt = step.deadline!;
      const landing = this.landings.add(flow, from, remote, localPort, port, timerAt + chain!.lastOffset, chain!.sends);
      // In the place holdEnd would have held (settledChain saw that the line takes it).
      const line = (chain!.ends ??= new DelayLine(this.sim, this.onLanding));
      line.fill(line.hold(timerAt + chain!.endOffset), landing);
      return conn;
    }
    this.sockets.set(from, TCP * 65536 + localPort, conn!);
    this.hostInfo[from * HOST_STRIDE + H_HAD_TCP] = 1;
    if (step.deadline !== null) {
      this.armAt(conn!, step.deadline, true);
      if (noLaterActions && this.changesEndNs !== Infinity && this.trace === null && conn!.timer < -1) this.holdEnd(conn!);
    }
    return conn;
  }

  private newConnection(flow: FlowRecord, host: number, localPort: number, remote: Ip, remotePort: number, state: TcpClientState, noLaterActions: boolean): Connection {
    return {
      kind: 'tcp',
      host,
      localPort,
      remote,
      remotePort,
      state,
      timer: -1,
      timerSlot: -1,
      flow,
      transfer: null,
      noLaterActions,
      endTicket: -1,
      endLine: null,
    };
  }

  /**
   * The retransmissions of a connect (its first step `step`, to port `dport`) whose SYN may be
   * decided as it is sent (deniedAsSent), or null. As fastForward's conditions, checked at the
   * connect: no change is to come or propagating, no trace; the port is not ephemeral; the flow has no SYN admitted or
   * travelling; the chain of SYN retransmissions ends in a timeout, the sender's conntrack
   * entry does not idle out between them, and the last arrives before the timeout. And the
   * places the connect would take in the lines of first timers and timeouts (armAt, holdEnd)
   * are free to take, so that its timeout lands where it would have.
   */
  private settledChain(step: TcpStep, dport: number, flow: FlowRecord): RetransmissionChain | null {
    if (this.trace !== null || !this.settled()) return null;
    if (step.deadline === null || (dport >= EPHEMERAL_FIRST && dport <= EPHEMERAL_LAST)) return null;
    if (flow.admission !== null || flow.requestsInFlight > 0) return null;
    const chain = this.retransmissions(step.state);
    if (chain === null || chain.gap > this.conntrack.timeouts.tcpHandshake) return null;
    const at = step.deadline + chain.endOffset;
    if (step.deadline + chain.lastOffset + this.maxLatencyNs >= at) return null;
    if (!this.firstTimers.accepts(step.deadline)) return null;
    if (chain.ends !== null ? !chain.ends.accepts(at) : !(Math.round(at) >= this.sim.now)) return null;
    return chain;
  }

  /**
   * Holds the place of the connection's timeout in its chain's line (RetransmissionChain.ends),
   * should it be fast-forwarded: where the timeout would come (the first timer's time plus the
   * chain's), in the order of the connects, so these 10^5-10^6 timeouts wait in a FIFO, not in
   * the event heap. Called at the connect, after its first timer is armed, so the timeout's
   * sequence number follows the timer's. The place is filled by fastForward, or given up when
   * the first timer is cancelled or fires (cancelTimer, tcpTimer); so it never falls due unfilled.
   */
  private holdEnd(conn: Connection): void {
    const chain = this.retransmissions(conn.state);
    if (chain === null) return;
    const line = (chain.ends ??= new DelayLine(this.sim, this.onLanding));
    const ticket = line.hold(this.timerAts[conn.timerSlot] + chain.endOffset);
    if (ticket < 0) return;
    conn.endTicket = ticket;
    conn.endLine = line;
  }

  /** Gives up the connection's held timeout, if it holds one. */
  private releaseEnd(conn: Connection): void {
    if (conn.endTicket < 0) return;
    conn.endLine!.cancel(conn.endTicket);
    conn.endTicket = -1;
    conn.endLine = null;
  }

  private armTimer(conn: Connection, step: TcpStep): void {
    this.cancelTimer(conn);
    if (step.deadline !== null) this.armAt(conn, step.deadline);
  }

  /**
   * Schedules the connection's timer at `at` (no timer pending). `first`: a connect's first
   * timer, which falls due a fixed delay after the connect, so these come in time order and
   * wait in a line of their own (firstTimers) instead of the event heap: most are cancelled
   * (the connect answered, or fast-forwarded) long before they fall due.
   */
  private armAt(conn: Connection, at: number, first = false): void {
    const slot = this.freeTimerSlots.length > 0 ? this.freeTimerSlots.pop()! : this.timerConns.length;
    this.timerConns[slot] = conn;
    conn.timerSlot = slot;
    if (slot >= this.timerAts.length) this.timerAts = grown(this.timerAts, slot + 1);
    this.timerAts[slot] = at;
    const ticket = first ? this.firstTimers.add(at, slot) : -1;
    conn.timer = ticket >= 0 ? -2 - ticket : this.sim.at(at, this.onTcpTimer, slot);
  }

  /**
   * A connect's SYN was denied after the last change (FabricOptions.changesEndNs, with no rule
   * change still propagating): every retransmission will meet the same world, so each would be
   * dropped the same way, and the connect will time out. Instead of sending them, the fabric
   * cancels the retransmission timer, drops the connection and its socket, and schedules a
   * landing (Landings) at the time the timeout would have come (in the place held for it at
   * the connect, holdEnd, so 10^6 of them do not fill the event heap), which accounts for the
   * retransmissions (packets, drops, the sender's conntrack entry, the events) and times the
   * flow out (land). Reports are byte-identical either way (a property test runs every
   * scenario both ways); after its first SYN's arrival, a denied connect then costs one event
   * (its landing) instead of 13, and holds no object but its flow record.
   * Dropping the socket early changes nothing: no segment can come for it (below), and a
   * later connect from the same port takes the socket over in either case (dropSocket).
   *
   * Only when the retransmissions are certain to change nothing else: no trace (it would show
   * each); the caller will not close or transfer on the connection; no answer can still come
   * (no SYN of the connect was ever admitted, none is travelling); the denial came from a
   * conntrack miss (an expired entry is explained anew each time, with its idle time); the
   * retransmissions are this very packet (routed now: same source, host and path); the
   * destination port is not an ephemeral one (so no packet can come back on the connection's
   * tuple from a client socket of the receiver, and a retransmission always meets a conntrack
   * miss); the sender's conntrack entry does not idle out between retransmissions; and the
   * last retransmission arrives before the timeout. Retransmissions meet no other state:
   * latency jitter is drawn per flow (latency()), and nothing else reads the dropped SYNs.
   * (A review found the conditions on answers, expiry and source missing: regressions b9-b13;
   * a second, that dropping the socket early exposed older bugs of ports taken over: b14-b16.)
   * Classic-only facts this assumes (a VPC plan must re-prove them): a drop is silent, outbound
   * is never filtered, and the receiver's conntrack and groups are the only filters on the way.
   */
  private fastForward(flow: FlowRecord, from: number, sport: number, dport: number, src: Ip, to: number, privatePath: boolean, sentVersion: number): void {
    if (this.trace !== null || this.pending.size > 0) return;
    if (dport >= EPHEMERAL_FIRST && dport <= EPHEMERAL_LAST) return;
    const sock = this.sockets.get(from, TCP * 65536 + sport);
    if (sock === undefined || sock.kind !== 'tcp') return;
    const conn: Connection = sock;
    if (conn.flow !== flow || !conn.noLaterActions || conn.timer === -1) return;
    // No answer may still come: no SYN of this connect was ever admitted, and none is on its
    // way (an earlier one, sent from another address before the last change, might be).
    if (flow.admission !== null || flow.requestsInFlight > 0) return;
    // The retransmissions must be this very packet: routed now (as they will be), it leaves
    // from the same address for the same host on the same path. (This one may have been sent
    // before the last change, from an address its sender has since left.)
    // (Nothing changed since it was sent, when the fabric's version is the same: then it is.)
    if (sentVersion !== this.version) {
      if (this.route(from, conn.remote) !== null || this.rSeenSrc !== src || this.rTarget !== to || this.rPrivatePath !== privatePath) return;
    }
    const chain = this.retransmissions(conn.state);
    if (chain === null) return;
    const timerAt = this.timerAts[conn.timerSlot];
    const at = timerAt + chain.endOffset;
    const lastSend = timerAt + chain.lastOffset;
    if (chain.gap > this.conntrack.timeouts.tcpHandshake || lastSend + this.maxLatencyNs >= at) return;
    // The connection has nothing left to do but time out: it goes now (its socket too: no
    // segment can come for it), and what remains is a landing, numbers in typed arrays.
    // It lands in the place held for it at the connect (holdEnd) when its first timer is the
    // one pending (so `at` is that place's time) and the place is in this chain's line.
    const held = conn.timer < -1 && conn.endLine !== null && conn.endLine === chain.ends ? conn.endTicket : -1;
    if (held >= 0) conn.endTicket = -1; // kept from cancelTimer's release
    this.cancelTimer(conn);
    this.sockets.delete(from, TCP * 65536 + sport); // it holds its port: it was found there above
    const landing = this.landings.add(flow, from, conn.remote, conn.localPort, conn.remotePort, lastSend, chain.sends);
    if (held < 0 || !chain.ends!.fill(held, landing)) this.sim.at(at, this.onLanding, landing);
  }

  /**
   * The SYN retransmissions still to come for a connection in `state` whose timer is pending,
   * relative to that timer (they do not depend on the absolute time), or null when they are
   * not plain SYN retransmissions ending in a timeout. One answer per state: states of the
   * retransmission sequence are shared (transport/tcp.ts).
   */
  private retransmissions(from: TcpClientState): RetransmissionChain | null {
    const known = this.chains.get(from);
    if (known !== undefined) return known;
    const tcp = this.settings.tcp;
    let chain: RetransmissionChain | null = null;
    let state = from;
    let offset = 0;
    let gap = from.rto; // the longest wait between two SYNs (or the last one and the timeout)
    let sends = 0;
    let lastOffset = 0;
    for (;;) {
      const step = tcpOnTimer(state, offset, tcp);
      if (step.event === 'timeout') {
        if (sends > 0) chain = { sends, lastOffset, endOffset: offset, gap, state, ends: null };
        break;
      }
      if (step.send !== F_SYN || step.deadline === null) break; // not a SYN retransmission
      sends++;
      lastOffset = offset;
      state = step.state;
      if (step.deadline - offset > gap) gap = step.deadline - offset;
      offset = step.deadline;
    }
    this.chains.set(from, chain);
    return chain;
  }

  /**
   * The timeout of a fast-forwarded connect, when it would have come: first what its
   * retransmissions would have done, then what its timer would (tcpTimer: the connection
   * times out; its socket is already gone).
   */
  private land(landing: number): void {
    const l = this.landings;
    const flow = l.take(landing);
    const host = l.host[landing];
    const n = l.sends[landing];
    this.stats.packets += n;
    this.stats.drops += n;
    flow.sent += n;
    // As transmit() would have: hosts outside AWS track nothing.
    if (!(this.hostInfo[host * HOST_STRIDE + H_FLAGS] & EXTERNAL)) {
      this.conntrack.trackMany(host, TCP, l.remote[landing], l.localPort[landing], l.remotePort[landing], l.lastSend[landing], OUTBOUND, F_SYN, n);
    }
    this.sim.elide(2 * n); // each retransmission: its timer and its arrival
    this.book.resolve(flow, 'timeout', this.book.noAnswer(flow, TIMED_OUT));
  }

  private cancelTimer(conn: Connection): void {
    this.releaseEnd(conn);
    if (conn.timer === -1) return;
    if (conn.timer >= 0) this.sim.cancel(conn.timer);
    else this.firstTimers.cancel(-2 - conn.timer);
    conn.timer = -1;
    this.timerConns[conn.timerSlot] = null;
    this.freeTimerSlots.push(conn.timerSlot);
  }

  /**
   * Whether the connection still holds its local port: a later connect or send that wrapped
   * round the ephemeral range onto the port takes it over (a port serves one endpoint).
   */
  private holdsPort(conn: Connection): boolean {
    return this.sockets.get(conn.host, TCP * 65536 + conn.localPort) === conn;
  }

  /** Removes a connection's socket, unless its port already serves a newer connection. */
  private dropSocket(conn: Connection): void {
    if (this.holdsPort(conn)) this.sockets.delete(conn.host, TCP * 65536 + conn.localPort);
  }

  /** A connection's retransmission timer fired (cancelled timers never do: the connection is open). */
  private tcpTimer(slot: number): void {
    const conn = this.timerConns[slot]!;
    this.timerConns[slot] = null;
    this.freeTimerSlots.push(slot);
    conn.timer = -1;
    this.releaseEnd(conn); // (armTimer below would too; a timeout as first timer holds none)
    const step = tcpOnTimer(conn.state, this.sim.now, this.settings.tcp);
    conn.state = step.state;
    if (step.event === 'timeout') {
      this.dropSocket(conn);
      this.book.resolve(conn.flow, 'timeout', this.book.noAnswer(conn.flow, TIMED_OUT));
      return;
    }
    if (step.send) this.transmit(conn.host, conn.remote, TCP, conn.localPort, conn.remotePort, step.send, conn.flow, true);
    this.armTimer(conn, step);
  }

  private clientSegment(host: number, conn: Connection, flags: number): void {
    const step = tcpClientOnSegment(conn.state, flags);
    conn.state = step.state;
    if (step.event !== null) this.cancelTimer(conn);
    switch (step.event) {
      case 'connected':
        this.book.resolve(conn.flow, 'connected', conn.flow.admission);
        break;
      case 'refused':
        this.dropSocket(conn);
        this.book.resolve(conn.flow, 'refused', conn.flow.admission);
        break;
      case 'data-acked':
        if (conn.transfer) {
          const t = conn.transfer;
          conn.transfer = null;
          if (t.outcome === null) this.book.resolve(t, 'delivered', t.admission);
        }
        break;
      case 'closed':
        this.dropSocket(conn);
        break;
    }
    if (step.send) this.transmit(host, conn.remote, TCP, conn.localPort, conn.remotePort, step.send, null, false);
  }

  /** Sends one data segment over an open connection (sgsim's `transfer`). */
  transfer(flow: FlowRecord, conn: Connection | null): void {
    if (conn) {
      flow.to = conn.remote;
      flow.port = conn.remotePort;
    }
    // Open: it still holds its port, and connected.
    const open = conn && this.holdsPort(conn) ? tcpSendData(conn.state) : 0;
    if (!conn || !open) {
      this.book.resolve(flow, 'dropped', { code: 'CONNECTION_NOT_OPEN', message: 'the connection is not open (it never connected, or it was closed or reset)' });
      return;
    }
    conn.transfer = flow;
    this.transmit(conn.host, conn.remote, TCP, conn.localPort, conn.remotePort, open, flow, true);
  }

  /** Closes a connection with FIN. */
  close(conn: Connection | null): void {
    if (!conn || !this.holdsPort(conn)) return;
    const step = tcpClose(conn.state);
    conn.state = step.state;
    if (step.send) this.transmit(conn.host, conn.remote, TCP, conn.localPort, conn.remotePort, step.send, null, false);
    else {
      // Closing a connection still opening: it stops retransmitting and goes away.
      this.cancelTimer(conn);
      this.dropSocket(conn);
    }
  }

  /** Sends `count` UDP datagrams from `from` to `dst:port`. */
  sendUdp(flow: FlowRecord, from: number, dst: Ip, port: number, count: number): void {
    flow.to = dst;
    flow.port = port;
    flow.pending = count;
    const localPort = this.ephemeralPort(from);
    this.sockets.set(from, UDP * 65536 + localPort, { kind: 'udp', flow });
    for (let i = 0; i < count; i++) {
      const err = this.transmit(from, dst, UDP, localPort, port, 0, flow, true);
      if (err === 'SOURCE_NOT_RUNNING') return;
    }
  }

  /** Sends one ICMP echo request and waits settings.pingTimeout for the reply. */
  ping(flow: FlowRecord, from: number, dst: Ip): void {
    const h = this.hosts[from];
    flow.to = dst;
    const echoId = h.nextEchoId;
    h.nextEchoId = echoId >= 65535 ? 1 : echoId + 1;
    const err = this.transmit(from, dst, ICMP, echoId, ICMP_ECHO_REQUEST << 16, 0, flow, true);
    if (err === 'SOURCE_NOT_RUNNING') return;
    const timer = this.sim.schedule(this.settings.pingTimeout, this.onPingTimeout, from, echoId);
    this.sockets.set(from, ICMP * 65536 + echoId, { kind: 'icmp', flow, timer });
  }

  private pingTimeout(hostId: number, echoId: number): void {
    const sock = this.sockets.get(hostId, ICMP * 65536 + echoId);
    if (!sock || sock.kind !== 'icmp') return;
    this.sockets.delete(hostId, ICMP * 65536 + echoId);
    this.book.resolve(sock.flow, 'timeout', this.book.noAnswer(sock.flow, `within the ping's wait (${this.settings.pingTimeout / 1e6} ms)`));
  }

  /** Low-level UDP for bulk workloads: sends one datagram with no flow record. */
  sendDatagram(from: number, localPort: number, dst: Ip, port: number, flow: FlowRecord | null = null): void {
    this.transmit(from, dst, UDP, localPort, port, 0, flow, flow !== null);
  }

  // -------------------------------------------------------------------------------------------
  // World changes

  /** Applies a change now; rule changes reach filtering after the propagation delay. */
  applyChange(change: Change): void {
    if (this.sim.now > this.promisedEndNs) {
      throw new Error(`applyChange at ${this.sim.now} ns, after the promised end of changes (${this.promisedEndNs} ns)`);
    }
    const before = this.world;
    this.version++;
    this.world = applyChange(before, change);
    if (this.trace) this.emit('change', describeChange(change));
    switch (change.kind) {
      case 'authorize':
      case 'revoke': {
        const delay = this.settings.propagationDelay;
        if (delay <= 0) {
          this.setEffective(changeRules(this.effective.get(change.group)!, change));
          return;
        }
        const at = this.sim.now + delay;
        const list = this.pending.get(change.group) ?? [];
        list.push(at);
        this.pending.set(change.group, list);
        this.sim.at(at, () => {
          this.setEffective(changeRules(this.effective.get(change.group)!, change));
          const l = this.pending.get(change.group)!;
          l.shift();
          if (l.length === 0) this.pending.delete(change.group);
          if (this.trace) this.emit('effective', { ...describeChange(change) });
        });
        return;
      }
      case 'launch': {
        // Launching with an Elastic IP another instance holds moves it, as associate does.
        const eip = change.instance.elasticIp;
        const former = eip !== undefined ? getElasticIp(before, eip)?.instance : undefined;
        if (former) this.syncInstance(former);
        this.addInstance(getInstance(this.world, change.instance.name)!);
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
    const id = this.hostByName.get(name)!;
    this.syncAddresses(id, getInstance(this.world, name)!);
  }

  private emit(ev: string, fields: Record<string, unknown>): void {
    this.trace!({ tNs: this.sim.now, ev, ...fields });
  }
}

/** The code of a region or zone name in `codes` (added if new; 0 for none). */
function codeOf(codes: Map<string, number>, name: string | null): number {
  if (name === null) return 0;
  let code = codes.get(name);
  if (code === undefined) codes.set(name, (code = codes.size + 1));
  return code;
}

/** Whether a segment with `flags` can only be an answer to a SYN for a client in `state`: a SYN-ACK, or an RST while the client is opening. */
function answersSyn(flags: number, state: TcpClientState): boolean {
  return (flags & F_SYN) !== 0 || ((flags & F_RST) !== 0 && state.phase === 'syn-sent');
}

function listens(ports: readonly PortRange[], port: number): boolean {
  for (let i = 0; i < ports.length; i++) if (port >= ports[i].from && port <= ports[i].to) return true;
  return false;
}

/** A packet's ports (icmp: echo id and type:code) and TCP flags, as the trace's send event says them. */
function packetFields(proto: number, sport: number, dport: number, flags: number): Record<string, unknown> {
  return {
    ...(proto === ICMP ? { id: sport, icmp: `${dport >> 16}:${dport & 0xffff}` } : { sport, dport }),
    ...(proto === TCP ? { flags: describeFlags(flags) } : {}),
  };
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

