/**
 * fabric/path/sender: the sending host (domain.md §1, §4 "Lifecycle").
 *
 * A stopped or terminated instance holds no address and sends nothing. A running one sends
 * anything: in classic, outbound traffic is never filtered (there are no egress rules), so
 * this hop has nothing else to judge. (VPC puts the sender's SG egress and source check after
 * it: domain-vpc.md §10.)
 */
import { PASS, drop, type Hop, type PathPacket, type PathWorld, type Verdict } from './hop.ts';

export const sender: Hop = {
  name: 'sender',
  side: 'send',
  filter: false,
  decide(p: PathPacket, w: PathWorld): Verdict {
    if (!w.running(p.sender)) return drop({ code: 'SOURCE_NOT_RUNNING', message: `${w.nameOf(p.sender)} is not running, so it sends nothing` }, true);
    // Outbound is never filtered in classic.
    return PASS;
  },
};
