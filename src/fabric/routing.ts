/**
 * fabric/routing: where a packet goes and how long it takes (the fast twin of path/route.ts
 * and path/nat.ts's source side).
 *
 * Owns: routing a packet from its sender to the host holding its destination address
 * (domain.md §4: the private path inside a region, the public path through NAT, the seed's
 * cross-region redirect of private addresses to the public one, no route from outside AWS to
 * a private address) from the hosts' rows; the source and destination the receiver sees; one
 * packet's latency by zone, region, public path and internet, with its seeded jitter.
 * The reference is the plan's route hop (path/route.ts); test/props/plan.test.ts holds them equal.
 * Does not own: the hosts' addresses (hosts.ts), sending (wire.ts).
 */
import { keyedUniform } from '../core/random.ts';
import { formatIp, type Ip } from '../net/ipv4.ts';
import type { Settings } from '../model/settings.ts';
import type { FlowRecord } from './flows.ts';
import type { HostTable } from './hosts.ts';
import type { FabricState } from './state.ts';
import type { PathPacket } from './path/hop.ts';
import { HOST_STRIDE, H_PRIVATE, H_PUBLIC, H_FLAGS, H_PLACE, EXTERNAL } from './fast/host-rows.ts';

export class Router {
  private readonly settings: Settings;
  private readonly h: HostTable;
  // The result of route(), written by it and read at once by its caller: no object per packet.
  rTarget = -1;
  /** The address the packet travels to after any redirect. */
  rWireDst = 0;
  /** Source and destination as the receiver sees them (destination: private address after NAT). */
  rSeenSrc = 0;
  rSeenDst = 0;
  rPrivatePath = false;
  rRedirected = false;
  /** Key of the jitter draws (from the run's 'latency' stream); see latency(). */
  private readonly jitterKey: number;
  /** Flows numbered so far (FlowRecord.serial), and packets sent with no flow record. */
  private flowSerials = 0;
  private unflowedSent = 0;

  constructor(st: FabricState) {
    this.settings = st.settings;
    this.h = st.hosts;
    this.jitterKey = Math.floor(st.sim.random('latency').next() * 2 ** 32);
  }

  /**
   * Routes a packet from `s` addressed to `dst` (domain.md §4): fills the r* fields and returns
   * null, or returns why there is no route.
   */
  route(from: number, dst: Ip): string | null {
    const info = this.h.info;
    const s = from * HOST_STRIDE;
    const priv = this.h.byPrivate.get(dst);
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
    const pub = this.h.byPublic.get(dst);
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
  routedAs(q: PathPacket): void {
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
  latency(from: number, to: number, privatePath: boolean, flow: FlowRecord | null): number {
    const l = this.settings.latency;
    const info = this.h.info;
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
}
