/**
 * fabric/fast/denied-at-send: shortcuts a connect's first SYN in a settled world — decided
 * where it is sent, as its arrival would decide it, so a denied one is never made as a packet
 * (tcp-client.ts asks for it when fast/fast-forward.ts settledChain allows; wire.ts transmit
 * calls deniedAsSent while `synDecidable`).
 * The reference (fastPaths false) sends the SYN and decides it at arrival (wire.ts arrive,
 * path/plan.ts); test/props/plan.test.ts holds the two equal.
 * Classic-only facts this assumes (a VPC plan must re-prove them): the receiver's groups and
 * conntrack are the only filters on the way (no egress rules, NACLs or routes to consult).
 * Does not own: the rules' verdict (rules-in-force.ts), the landing (fast/fast-forward.ts).
 */
import type { Simulator } from '../../core/simulator.ts';
import type { Ip } from '../../net/ipv4.ts';
import { TCP } from '../../net/protocol.ts';
import { ConnTrackTable, MISS } from '../../conntrack/table.ts';
import type { FlowRecord } from '../flows.ts';
import type { FlowBook } from '../flow-book.ts';
import type { HostTable } from '../hosts.ts';
import type { FabricState, FabricStats } from '../state.ts';
import { HOST_STRIDE, H_PRIVATE, H_FLAGS, RUNNING, EXTERNAL } from './host-rows.ts';
import type { Router } from '../routing.ts';
import type { RulesInForce } from '../rules-in-force.ts';

export class DeniedAtSend {
  private readonly sim: Simulator;
  private readonly book: FlowBook;
  private readonly conntrack: ConnTrackTable;
  private readonly stats: FabricStats;
  private readonly h: HostTable;
  /** A connect's SYN may be decided as it is sent (connect to transmit), and was denied (back). */
  synDecidable = false;
  synDenied = false;

  constructor(
    private readonly st: FabricState,
    private readonly router: Router,
    private readonly rules: RulesInForce,
  ) {
    this.sim = st.sim;
    this.book = st.book;
    this.conntrack = st.conntrack;
    this.stats = st.stats;
    this.h = st.hosts;
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
  deniedAsSent(flow: FlowRecord, from: number, to: number, sport: number, dport: number, privatePath: boolean, redirected: boolean, wireDst: Ip): boolean {
    const src = this.router.rSeenSrc;
    const dst = this.router.rSeenDst;
    const row = to * HOST_STRIDE;
    const tFlags = this.h.info[row + H_FLAGS];
    // As arrive() checks (a public address goes to whoever holds it): the receiver is there.
    if (!(tFlags & RUNNING) || tFlags & EXTERNAL || this.h.info[row + H_PRIVATE] >>> 0 !== dst) return false;
    if (redirected && this.h.byPublic.get(wireDst) !== to) return false;
    if (this.conntrack.lookup(to, TCP, src, dport, sport, this.sim.now) !== MISS) return false;
    if (this.rules.filter(to, from, TCP, dport, src, privatePath) >= 0) return false;
    this.stats.drops++;
    this.book.deniedAt(flow, src, dst);
    this.book.recordDrop(flow, this.rules.deny(to, from, TCP, dport, src, privatePath, dst, false), true);
    flow.explanationVersion = this.st.version;
    flow.explanationSource = src;
    this.sim.elide(1); // its arrival
    return true;
  }
}
