/**
 * conntrack/table: security-group connection tracking (domain.md §5).
 *
 * Owns: the table of tracked flows of every host, keyed by packed integers (host, protocol,
 * remote address, local port, remote port) in an open-addressing hash table over typed arrays:
 * no object per flow. Each entry knows which directions it has seen, FIN/RST state and its idle
 * deadline, by the timeouts of AWS ("Security group connection tracking": tcp established
 * 432,000 s; udp 30 s, udp stream 180 s) and of Linux conntrack where AWS publishes none (tcp
 * handshake 120 s, icmp 30 s). Expiry is lazy: an entry past its deadline answers EXPIRED (so
 * the cause can be explained) until it is tracked anew. No timers of its own.
 * Does not own: whether a packet is admitted (fabric/ asks this table, then policy/).
 */
import { F_FIN, F_RST, ICMP, TCP } from '../net/protocol.ts';

export interface ConntrackTimeouts {
  readonly tcpEstablished: number;
  readonly tcpHandshake: number;
  readonly udp: number;
  readonly udpStream: number;
  readonly icmp: number;
}

/** lookup() results besides a slot number (>= 0). */
export const MISS = -1;
export const EXPIRED = -2;

/** Direction of a packet relative to the host that owns the entry. */
export const OUTBOUND = 1;
export const INBOUND = 2;


const EMPTY = 0;
const USED = 1;
const TOMBSTONE = 2;

// Entry flags.
const SEEN_OUT = 1;
const SEEN_IN = 2;
const FIN_OUT = 4;
const FIN_IN = 8;

export class ConnTrackTable {
  private cap: number;
  private status: Uint8Array;
  private host: Int32Array;
  private proto: Uint8Array;
  private remote: Uint32Array;
  private ports: Uint32Array;
  private flags: Uint8Array;
  private packets: Int32Array;
  private lastSeen: Float64Array;
  private deadline: Float64Array;
  private used = 0;
  private tombstones = 0;
  /** Set by lookup() when it answers EXPIRED: how long the flow had been idle, and its timeout. */
  expiredIdle = 0;
  expiredTimeout = 0;

  constructor(
    readonly timeouts: ConntrackTimeouts,
    initialCapacity = 1024,
  ) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.cap = cap;
    this.status = new Uint8Array(cap);
    this.host = new Int32Array(cap);
    this.proto = new Uint8Array(cap);
    this.remote = new Uint32Array(cap);
    this.ports = new Uint32Array(cap);
    this.flags = new Uint8Array(cap);
    this.packets = new Int32Array(cap);
    this.lastSeen = new Float64Array(cap);
    this.deadline = new Float64Array(cap);
  }

  /** Tracked entries, expired ones included until they are tracked anew or removed. */
  get size(): number {
    return this.used;
  }

  private hash(host: number, proto: number, remote: number, ports: number): number {
    let h = Math.imul(host ^ (proto << 24), 0x9e3779b1) ^ Math.imul(remote, 0x85ebca77) ^ Math.imul(ports, 0xc2b2ae3d);
    h ^= h >>> 16;
    h = Math.imul(h, 0x7feb352d);
    h ^= h >>> 15;
    return h & (this.cap - 1);
  }

  private find(host: number, proto: number, remote: number, ports: number): number {
    const mask = this.cap - 1;
    let i = this.hash(host, proto, remote, ports);
    for (;;) {
      const s = this.status[i];
      if (s === EMPTY) return -1;
      if (
        s === USED &&
        this.ports[i] === ports &&
        this.remote[i] === remote &&
        this.host[i] === host &&
        this.proto[i] === proto
      )
        return i;
      i = (i + 1) & mask;
    }
  }

  /**
   * The entry for a packet at `host`: its slot if tracked and alive, EXPIRED if tracked but idle
   * past its deadline (see expiredIdle/expiredTimeout), else MISS.
   */
  lookup(host: number, proto: number, remote: number, localPort: number, remotePort: number, now: number): number {
    const ports = ((localPort << 16) | remotePort) >>> 0;
    const i = this.find(host, proto, remote >>> 0, ports);
    if (i < 0) return MISS;
    if (now > this.deadline[i]) {
      this.expiredIdle = now - this.lastSeen[i];
      this.expiredTimeout = this.deadline[i] - this.lastSeen[i];
      return EXPIRED;
    }
    return i;
  }

  /** Tracks a packet: creates the entry (or revives an expired one) and refreshes its deadline. Returns the slot. */
  track(
    host: number,
    proto: number,
    remote: number,
    localPort: number,
    remotePort: number,
    now: number,
    direction: number,
    tcpFlags = 0,
  ): number {
    const ports = ((localPort << 16) | remotePort) >>> 0;
    remote = remote >>> 0;
    let i = this.find(host, proto, remote, ports);
    if (i < 0 || now > this.deadline[i]) {
      if (i < 0) i = this.insertSlot(host, proto, remote, ports);
      this.flags[i] = 0;
      this.packets[i] = 0;
    }
    this.touch(i, now, direction, tcpFlags);
    return i;
  }

  /**
   * Tracks `count` packets of one direction, the last at `lastAt`, that nothing looked up
   * meanwhile and that never found the entry idle past its deadline (the fabric's
   * fast-forwarded retransmissions): the entry ends as `count` track() calls would have left
   * it. If it was touched after `lastAt` in the meantime, that later time stays. No RST.
   */
  trackMany(
    host: number,
    proto: number,
    remote: number,
    localPort: number,
    remotePort: number,
    lastAt: number,
    direction: number,
    tcpFlags: number,
    count: number,
  ): void {
    if (count <= 0) return;
    const i = this.find(host, proto, remote >>> 0, ((localPort << 16) | remotePort) >>> 0);
    if (i >= 0 && this.lastSeen[i] > lastAt) {
      let f = this.flags[i] | (direction === OUTBOUND ? SEEN_OUT : SEEN_IN);
      if (tcpFlags & F_FIN) f |= direction === OUTBOUND ? FIN_OUT : FIN_IN;
      this.flags[i] = f;
      this.packets[i] += count;
      return;
    }
    const slot = this.track(host, proto, remote, localPort, remotePort, lastAt, direction, tcpFlags);
    this.packets[slot] += count - 1;
  }

  /** Records a packet on a live entry and refreshes its deadline. */
  touch(slot: number, now: number, direction: number, tcpFlags = 0): void {
    let f = this.flags[slot] | (direction === OUTBOUND ? SEEN_OUT : SEEN_IN);
    if (tcpFlags & F_FIN) f |= direction === OUTBOUND ? FIN_OUT : FIN_IN;
    this.flags[slot] = f;
    this.packets[slot]++;
    this.lastSeen[slot] = now;
    if (tcpFlags & F_RST) {
      this.removeSlot(slot);
      return;
    }
    this.deadline[slot] = now + this.timeoutOf(slot);
  }

  private timeoutOf(slot: number): number {
    const t = this.timeouts;
    const f = this.flags[slot];
    const both = (f & (SEEN_OUT | SEEN_IN)) === (SEEN_OUT | SEEN_IN);
    const proto = this.proto[slot];
    if (proto === TCP) {
      if ((f & (FIN_OUT | FIN_IN)) === (FIN_OUT | FIN_IN)) return t.tcpHandshake;
      return both ? t.tcpEstablished : t.tcpHandshake;
    }
    if (proto === ICMP) return t.icmp;
    return both && this.packets[slot] > 2 ? t.udpStream : t.udp;
  }

  /** Idle deadline of a slot (absolute ns). */
  deadlineOf(slot: number): number {
    return this.deadline[slot];
  }

  /** Forgets one flow (e.g. after a TCP close completes). */
  remove(host: number, proto: number, remote: number, localPort: number, remotePort: number): void {
    const i = this.find(host, proto, remote >>> 0, ((localPort << 16) | remotePort) >>> 0);
    if (i >= 0) this.removeSlot(i);
  }

  /** Forgets every flow of a host (it stopped or terminated). O(capacity); rare. */
  clearHost(host: number): void {
    for (let i = 0; i < this.cap; i++) if (this.status[i] === USED && this.host[i] === host) this.removeSlot(i);
  }

  private removeSlot(i: number): void {
    this.status[i] = TOMBSTONE;
    this.used--;
    this.tombstones++;
  }

  private insertSlot(host: number, proto: number, remote: number, ports: number): number {
    if ((this.used + this.tombstones + 1) * 2 > this.cap) this.rehash(this.used * 4 > this.cap ? this.cap * 2 : this.cap);
    const mask = this.cap - 1;
    let i = this.hash(host, proto, remote, ports);
    while (this.status[i] === USED) i = (i + 1) & mask;
    if (this.status[i] === TOMBSTONE) this.tombstones--;
    this.status[i] = USED;
    this.host[i] = host;
    this.proto[i] = proto;
    this.remote[i] = remote;
    this.ports[i] = ports;
    this.used++;
    return i;
  }

  private rehash(newCap: number): void {
    const old = {
      cap: this.cap,
      status: this.status,
      host: this.host,
      proto: this.proto,
      remote: this.remote,
      ports: this.ports,
      flags: this.flags,
      packets: this.packets,
      lastSeen: this.lastSeen,
      deadline: this.deadline,
    };
    this.cap = newCap;
    this.status = new Uint8Array(newCap);
    this.host = new Int32Array(newCap);
    this.proto = new Uint8Array(newCap);
    this.remote = new Uint32Array(newCap);
    this.ports = new Uint32Array(newCap);
    this.flags = new Uint8Array(newCap);
    this.packets = new Int32Array(newCap);
    this.lastSeen = new Float64Array(newCap);
    this.deadline = new Float64Array(newCap);
    this.used = 0;
    this.tombstones = 0;
    for (let j = 0; j < old.cap; j++) {
      if (old.status[j] !== USED) continue;
      const i = this.insertSlot(old.host[j], old.proto[j], old.remote[j], old.ports[j]);
      this.flags[i] = old.flags[j];
      this.packets[i] = old.packets[j];
      this.lastSeen[i] = old.lastSeen[j];
      this.deadline[i] = old.deadline[j];
    }
  }
}
