/**
 * fabric/hosts: the hosts (instances and hosts outside AWS) and the addresses they hold.
 *
 * Owns: the Host objects (the public view) and, for the hot path, each host's row of numbers
 * (fast/host-rows.ts: addresses, running, external, region and zone, where its rules are, its
 * next ephemeral port, its groups as a sender by number), written from the Host object
 * whenever it changes; hosts by name and by the private / public address they hold; each
 * host's listening ports (by services list); the ephemeral ports a connect or send takes.
 * Does not own: when addresses change (world-changes.ts), the rules a row points at
 * (fast/rule-links.ts).
 */
import { IpMap } from '../net/ipmap.ts';
import type { Ip } from '../net/ipv4.ts';
import type { PortRange } from '../net/protocol.ts';
import type { Service } from '../model/types.ts';
import type { Receiver } from '../policy/index.ts';
import { grown } from './grown.ts';
import { HOST_STRIDE, H_PRIVATE, H_PUBLIC, H_FLAGS, H_PLACE, H_NEXT_PORT, H_SENDER, H_SENDER0, H_SENDER1, RUNNING, EXTERNAL } from './fast/host-rows.ts';

export const EPHEMERAL_FIRST = 32768;
export const EPHEMERAL_LAST = 60999;

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

/** A services list's listening ports, by protocol (HostTable.portLists holds each at `number`). */
export interface ListeningPorts {
  readonly number: number;
  readonly tcp: readonly PortRange[];
  readonly udp: readonly PortRange[];
}

export class HostTable {
  readonly list: Host[] = [];
  readonly byName = new Map<string, number>();
  /**
   * The fields of every host that each packet reads (addresses, running, external, region and
   * zone, where its rules are, its next ephemeral port, its groups as a sender by number),
   * HOST_STRIDE int32s per host id (a row of 64 bytes: a cache line), written from the Host
   * object whenever it changes (writeHostInfo, RuleLinks.linkRules; the next port and sender
   * groups by newHost, the port by ephemeralPort and setNextPort).
   * Routing reads these instead of the objects: in a world of 10^6 hosts, a host object is a
   * cache miss behind another (the array slot), and each packet met three. Replaced when it
   * grows: read it through the table each time.
   */
  info: Int32Array;
  /** Region and zone names by their code in `info` (1-based; 0 is none). */
  private readonly regionCodes = new Map<string, number>();
  private readonly zoneCodes = new Map<string, number>();
  /** Host ids by the private / public address they hold. */
  readonly byPrivate: IpMap;
  readonly byPublic: IpMap;
  /** Listening ports by services list (newHost). */
  private readonly portsOf = new Map<readonly Service[], ListeningPorts>();
  /**
   * The listening ports of each host, as a number in `portLists` (hosts with the same services
   * list share one): delivering a packet reads this small array, not the host's `Host` object.
   */
  hostPorts: Int32Array;
  readonly portLists: ListeningPorts[] = [];

  /** Sized for `hosts` hosts at once, `instances` of them instances (it grows for launches). */
  constructor(hosts: number, instances: number) {
    // Sized for the world's hosts at once: grown by doubling, a 10^6-host world's rows were
    // copied some twenty times, and each new array counts against the heap.
    this.info = new Int32Array(HOST_STRIDE * (hosts + 1));
    this.hostPorts = new Int32Array(hosts + 1);
    this.byPrivate = new IpMap(instances);
    this.byPublic = new IpMap(instances);
  }

  newHost(
    name: string,
    external: boolean,
    region: string | null,
    zone: string | null,
    groupKeys: readonly string[],
    services: readonly Service[],
    /** The number a sender group has in the rule arena (RuleArena.numberOf). */
    numberOf: (group: string) => number,
  ): number {
    const id = this.list.length;
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
    this.list.push({
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
    // (rowOf first: it may grow hostInfo, and `this.info[this.rowOf(id) + …] = …` would
    // write into the array it replaced.)
    const row = this.rowOf(id);
    this.info[row + H_NEXT_PORT] = EPHEMERAL_FIRST;
    const n = groupKeys.length;
    this.info[row + H_SENDER] = n > 2 ? -1 : n;
    if (n >= 1 && n <= 2) this.info[row + H_SENDER0] = numberOf(groupKeys[0]);
    if (n === 2) this.info[row + H_SENDER1] = numberOf(groupKeys[1]);
    this.byName.set(name, id);
    return id;
  }

  /**
   * Copies a host's routing fields into hostInfo (after any change to them; a new host's
   * once its addresses are set: syncAddresses for an instance, the constructor for a host
   * outside AWS).
   */
  writeHostInfo(h: Host): void {
    const at = this.rowOf(h.id);
    const info = this.info;
    info[at + H_PRIVATE] = h.privateIp | 0;
    info[at + H_PUBLIC] = h.publicIp | 0;
    info[at + H_FLAGS] = (h.running ? RUNNING : 0) | (h.external ? EXTERNAL : 0);
    info[at + H_PLACE] = (codeOf(this.regionCodes, h.region) << 16) | codeOf(this.zoneCodes, h.zone);
  }

  /** The host's row in hostInfo (its offset), the array grown to hold it if need be. */
  rowOf(id: number): number {
    const at = id * HOST_STRIDE;
    if (at + HOST_STRIDE > this.info.length) this.info = grown(this.info, at + HOST_STRIDE);
    return at;
  }

  /** The host's next ephemeral port (its row's H_NEXT_PORT), which moves on by one. */
  ephemeralPort(id: number): number {
    const at = id * HOST_STRIDE + H_NEXT_PORT;
    const p = this.info[at];
    this.info[at] = p >= EPHEMERAL_LAST ? EPHEMERAL_FIRST : p + 1;
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
    if (this.list[id] === undefined) throw new RangeError(`no host has id ${id}`);
    this.info[id * HOST_STRIDE + H_NEXT_PORT] = port;
  }

  /** Whether host `h` listens on `port` for `tcp` (else UDP). */
  listens(h: number, tcp: boolean, port: number): boolean {
    const ports = this.portLists[this.hostPorts[h]];
    return listens(tcp ? ports.tcp : ports.udp, port);
  }
}

/** The code of a region or zone name in `codes` (added if new; 0 for none). */
function codeOf(codes: Map<string, number>, name: string | null): number {
  if (name === null) return 0;
  let code = codes.get(name);
  if (code === undefined) codes.set(name, (code = codes.size + 1));
  return code;
}

export function listens(ports: readonly PortRange[], port: number): boolean {
  for (let i = 0; i < ports.length; i++) if (port >= ports[i].from && port <= ports[i].to) return true;
  return false;
}
