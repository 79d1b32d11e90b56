/**
 * fabric/path/nat: the address a packet was sent to, mapped to its holder where it arrives
 * (domain.md §4; design.md "Translation at arrival").
 *
 * The route is chosen when a packet is sent, but a public address is translated at the edge
 * when the packet arrives: it goes to whoever holds the address now (an Elastic IP moved in
 * flight reaches its new holder; one released reaches nobody). A private-path packet goes to
 * the host it was sent to, if it still holds the address. A host that is no longer there
 * (stopped, terminated, or holding other addresses): `NO_ROUTE_TO_DESTINATION`.
 */
import { formatIp } from '../../net/ipv4.ts';
import { PASS, drop, type Hop, type PathPacket, type PathWorld, type Verdict } from './hop.ts';

export const nat: Hop = {
  name: 'nat',
  side: 'arrive',
  filter: false,
  decide(p: PathPacket, w: PathWorld): Verdict {
    let q = p;
    if (!p.privatePath) {
      const holder = w.holderOfPublic(p.wireDst);
      if (holder >= 0 && holder !== p.receiver) q = { ...p, receiver: holder, destination: w.privateIpOf(holder) };
      else if (holder < 0) q = { ...p, destination: 0 };
    }
    // destination 0: nobody holds the public address now (a running host's private address is never 0).
    if (!w.running(q.receiver) || w.privateIpOf(q.receiver) !== q.destination) {
      const gone = q.privatePath ? q.destination : q.wireDst;
      return drop({ code: 'NO_ROUTE_TO_DESTINATION', message: `${w.nameOf(q.receiver)} no longer holds ${formatIp(gone)}${q.request ? '' : ' (the answer found no host)'}` }, true);
    }
    return q === p ? PASS : { kind: 'rewrite', packet: q };
  },
};
