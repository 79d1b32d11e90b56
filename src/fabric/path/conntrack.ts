/**
 * fabric/path/conntrack: connection tracking at the receiver (domain.md §5).
 *
 * Asked before the receiver's groups (plan.ts puts this hop first): a packet of a flow the
 * receiver tracks — a reply to its own request (outbound is tracked as it leaves), or a later
 * packet of a flow it admitted — passes regardless of rules. So **removing a rule does not
 * cut a tracked connection**: it lives until it idles out, and only new flows meet the rules
 * in force. An entry that idled out is not a pass; the groups hop judges the packet, and its
 * denial says the flow expired (`SIM_CONNTRACK_EXPIRED`). Hosts outside AWS track nothing.
 * Keys: the 5-tuple for tcp/udp; addresses and echo id for icmp, with which side asked.
 */
import { ICMP, ICMP_ECHO_REQUEST } from '../../net/protocol.ts';
import { EXPIRED } from '../../conntrack/table.ts';
import { PASS, type Hop, type PathPacket, type PathWorld, type Verdict } from './hop.ts';

/** The receiver's conntrack key of a packet: local port and remote port (icmp: echo id, and 1 = this host asked, 2 = the remote asked). */
export function trackedPorts(p: PathPacket): { readonly local: number; readonly remote: number } {
  if (p.protocol === ICMP) return { local: p.sport, remote: p.dport >> 16 === ICMP_ECHO_REQUEST ? 2 : 1 };
  return { local: p.dport, remote: p.sport };
}

const EXPIRED_NOTE: Verdict = Object.freeze({ kind: 'note', expired: true });

export const conntrack: Hop = {
  name: 'conntrack',
  side: 'arrive',
  filter: true,
  decide(p: PathPacket, w: PathWorld): Verdict {
    if (w.external(p.receiver)) return PASS;
    const k = trackedPorts(p);
    const slot = w.tracked(p.receiver, p.protocol, p.source, k.local, k.remote);
    if (slot >= 0) {
      // Replies and tracked flows pass regardless of rules: a revoked rule keeps this flow.
      return {
        kind: 'admit',
        tracked: slot,
        by: { code: 'TRACKED_CONNECTION', message: `part of a tracked flow of ${w.nameOf(p.receiver)}; replies and tracked flows pass regardless of rules` },
      };
    }
    return slot === EXPIRED ? EXPIRED_NOTE : PASS;
  },
};
