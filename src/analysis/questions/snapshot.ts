/**
 * analysis/questions/snapshot: a classic world standing still, as the plan's hops read it.
 *
 * Owns: `ClassicSnapshot`, a PathWorld (fabric/path/hop.ts) over a World value: hosts numbered
 * as the fabric numbers them (instances shard by shard, then hosts outside AWS), the address
 * maps of running instances and outside hosts, the groups as configured (a question has no
 * propagation delay: what the world says is what is in force), the services that listen, and
 * a small connection-tracking and client-socket memory that a question fills in itself (the
 * request of a traced flow is tracked at its sender, so its answer comes back as it would).
 * Also `worldAt`: the world after the timeline's changes up to a time (model/world.ts
 * applyChange, in timeline order), the world every question is asked of.
 * Virtual senders "from the internet" are hosts outside AWS added with `addInternet`.
 * Does not own: the hops (fabric/path/), what a question makes of the trail (trace.ts).
 */
import { MISS } from '../../conntrack/table.ts';
import { applyChange, type World } from '../../model/world.ts';
import type { Instance, SecurityGroup, Service } from '../../model/types.ts';
import type { Ip } from '../../net/ipv4.ts';
import type { IngressView } from '../../policy/match.ts';
import type { PathPacket, PathWorld } from '../../fabric/path/hop.ts';
import { TCP, UDP } from '../../net/protocol.ts';
import type { ScenarioSpec } from '../../scenario/spec.ts';
import { changeOf, initialWorld } from '../../scenario/run.ts';

// A timeline action as the world's change: the runner's own reading (scenario/run.ts).
export { changeOf };

/**
 * The world of `spec` after every timeline change at or before `atNs` (null: before the
 * timeline, the world the scenario starts from), as runScenario builds and changes it.
 */
export function worldAt(spec: ScenarioSpec, atNs: number | null): World {
  let world = initialWorld(spec);
  if (atNs === null) return world;
  for (const e of spec.timeline) {
    if (e.at > atNs) break;
    const c = changeOf(e.action);
    if (c) world = applyChange(world, c);
  }
  return world;
}

interface HostRow {
  readonly name: string;
  readonly external: boolean;
  readonly running: boolean;
  readonly region: number;
  readonly privateIp: Ip;
  readonly publicIp: Ip;
  readonly groups: readonly string[];
  readonly services: readonly Service[];
}

/** A client socket a traced flow opened: its host and port talk to `remote`:`remotePort`. */
interface ClientSocket {
  readonly host: number;
  readonly port: number;
  readonly remote: Ip;
  readonly remotePort: number;
  readonly flow: object | null;
}

export class ClassicSnapshot implements PathWorld {
  private readonly rows: HostRow[] = [];
  /** Hosts by name, made on the first lookup (exposure never looks a host up by name). */
  private ids: Map<string, number> | null = null;
  private worldHosts = 0;
  private readonly byPrivate = new Map<Ip, number>();
  private readonly byPublic = new Map<Ip, number>();
  private readonly regions = new Map<string, number>();
  private readonly inForce = new Map<string, readonly SecurityGroup[]>();
  private readonly trackedKeys = new Set<string>();
  private readonly sockets: ClientSocket[] = [];
  private readonly internet = new Map<Ip, number>();

  constructor(readonly world: World) {
    for (const shard of world.instances) for (const name in shard) this.addInstance(shard[name]);
    for (const name in world.external) {
      const e = world.external[name];
      const id = this.add({ name, external: true, running: true, region: -1, privateIp: e.ip, publicIp: e.ip, groups: [], services: e.services });
      this.byPublic.set(e.ip, id);
    }
    this.worldHosts = this.rows.length;
  }

  private add(row: HostRow): number {
    const id = this.rows.length;
    this.rows.push(row);
    return id;
  }

  private addInstance(inst: Instance): void {
    let region = this.regions.get(inst.region);
    if (region === undefined) this.regions.set(inst.region, (region = this.regions.size));
    const running = inst.state === 'running';
    const privateIp = running ? (inst.privateIp ?? 0) : 0;
    const publicIp = running ? (inst.elasticIp ?? inst.publicIp ?? 0) : 0;
    const id = this.add({ name: inst.name, external: false, running, region, privateIp, publicIp, groups: inst.groups, services: inst.services });
    if (privateIp !== 0) this.byPrivate.set(privateIp, id);
    if (publicIp !== 0) this.byPublic.set(publicIp, id);
  }

  /** The host named `name` (an instance or a host outside AWS), or undefined. */
  hostId(name: string): number | undefined {
    if (this.ids === null) {
      this.ids = new Map();
      // The world's hosts only (virtual internet senders come after them and are never looked up).
      for (let h = 0; h < this.worldHosts; h++) this.ids.set(this.rows[h].name, h);
    }
    return this.ids.get(name);
  }

  get hostCount(): number {
    return this.rows.length;
  }

  isInstance(h: number): boolean {
    return !this.rows[h].external;
  }

  groupsOf(h: number): readonly string[] {
    return this.rows[h].groups;
  }

  /** Whether a host of the world holds `ip` (privately or publicly). */
  readonly held = (ip: Ip): boolean => this.byPrivate.has(ip) || (this.byPublic.has(ip) && !this.internet.has(ip));

  /** A sender outside AWS at `ip` (a virtual "internet" host; one per address). */
  addInternet(ip: Ip): number {
    let id = this.internet.get(ip);
    if (id === undefined) {
      id = this.rows.length;
      this.rows.push({ name: 'internet', external: true, running: true, region: -1, privateIp: ip, publicIp: ip, groups: [], services: [] });
      this.internet.set(ip, id);
      // Answers to it are routed to it (the public path), unless a host of the world holds the address.
      if (!this.byPublic.has(ip)) this.byPublic.set(ip, id);
    }
    return id;
  }

  /** Connection tracking at `host` of a flow it sent (outbound is tracked as it leaves). */
  track(host: number, protocol: number, remote: Ip, localPort: number, remotePort: number): void {
    this.trackedKeys.add(`${host}:${protocol}:${remote}:${localPort}:${remotePort}`);
  }

  /** A client socket of `host` on `port` to `remote`:`remotePort`, for the answers of `flow`. */
  openClient(host: number, port: number, remote: Ip, remotePort: number, flow: object | null): void {
    this.sockets.push({ host, port, remote, remotePort, flow });
  }

  /** Forgets every tracked flow and socket (each traced flow is sent alone). */
  forget(): void {
    this.trackedKeys.clear();
    this.sockets.length = 0;
  }

  // -- PathWorld ------------------------------------------------------------------------------

  nameOf(h: number): string {
    return this.rows[h].name;
  }
  running(h: number): boolean {
    return this.rows[h].running;
  }
  external(h: number): boolean {
    return this.rows[h].external;
  }
  regionOf(h: number): number {
    return this.rows[h].region;
  }
  privateIpOf(h: number): Ip {
    return this.rows[h].privateIp;
  }
  publicIpOf(h: number): Ip {
    return this.rows[h].publicIp;
  }
  holderOfPrivate(ip: Ip): number {
    return this.byPrivate.get(ip) ?? -1;
  }
  holderOfPublic(ip: Ip): number {
    return this.byPublic.get(ip) ?? -1;
  }
  tracked(h: number, protocol: number, remote: Ip, localPort: number, remotePort: number): number {
    if (this.trackedKeys.size === 0) return MISS;
    return this.trackedKeys.has(`${h}:${protocol}:${remote}:${localPort}:${remotePort}`) ? 0 : MISS;
  }
  expiredFacts(): { readonly idleNs: number; readonly timeoutNs: number } {
    return { idleNs: 0, timeoutNs: 0 };
  }
  groupsInForce(h: number): readonly SecurityGroup[] {
    const keys = this.rows[h].groups;
    const id = keys.join('\u0000');
    let groups = this.inForce.get(id);
    if (groups === undefined) {
      groups = keys.map((k) => this.world.groups[k]).filter((g): g is SecurityGroup => g !== undefined);
      this.inForce.set(id, groups);
    }
    return groups;
  }
  senderGroups(h: number): readonly string[] | null {
    const r = this.rows[h];
    return r.running && !r.external ? r.groups : null;
  }
  pendingWouldAdmit(_h: number, _view: IngressView): null {
    return null; // a question's world stands still: nothing is propagating
  }
  listens(h: number, protocol: number, port: number): boolean {
    const name = protocol === TCP ? 'tcp' : protocol === UDP ? 'udp' : null;
    return name !== null && this.rows[h].services.some((s) => s.protocol === name && s.ports.from <= port && port <= s.ports.to);
  }
  clientTakes(h: number, p: PathPacket): boolean {
    return this.sockets.some((s) => s.host === h && s.port === p.dport && s.remote === p.source && s.remotePort === p.sport && s.flow === p.flow);
  }
}
