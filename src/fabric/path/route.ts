/**
 * fabric/path/route: which host a packet goes to, and over which path (domain.md §4).
 *
 * - A private address of the sender's region: the **private path**; the receiver sees the
 *   sender's private address (group rules can match).
 * - A private address of another region: **redirected** to the target's public address (the
 *   seed's behaviour; AWS documents no such redirect: a deviation, marked `redirected`); the
 *   receiver sees the sender's public address (its EIP, else its public IP).
 * - A public IP or Elastic IP: the **public path** through NAT; the receiver sees the sender's
 *   EIP, else its public IP (group identity is lost: SG_REFERENCES_NOT_PRESERVED).
 * - A private address from outside AWS, or an address no running host holds:
 *   `NO_ROUTE_TO_DESTINATION`.
 * The destination the receiver sees is its own private address (NAT at the edge).
 */
import { formatIp } from '../../net/ipv4.ts';
import { drop, type Hop, type PathPacket, type PathWorld, type Verdict } from './hop.ts';

export const route: Hop = {
  name: 'route',
  side: 'send',
  filter: false,
  decide(p: PathPacket, w: PathWorld): Verdict {
    const dst = p.addressed;
    const priv = w.holderOfPrivate(dst);
    if (priv >= 0) {
      if (w.external(p.sender)) return drop({ code: 'NO_ROUTE_TO_DESTINATION', message: `${formatIp(dst)} is a private address, not reachable from outside AWS` }, true);
      const destination = w.privateIpOf(priv);
      if (w.regionOf(priv) === w.regionOf(p.sender)) {
        return rewrite(p, priv, dst, w.privateIpOf(p.sender), destination, true, false);
      }
      // The seed: requests from another region to a private IP are redirected to the public IP.
      return rewrite(p, priv, w.publicIpOf(priv), w.publicIpOf(p.sender), destination, false, true);
    }
    const pub = w.holderOfPublic(dst);
    if (pub >= 0) return rewrite(p, pub, dst, w.publicIpOf(p.sender), w.privateIpOf(pub), false, false);
    return drop({ code: 'NO_ROUTE_TO_DESTINATION', message: `no running host holds ${formatIp(dst)}` }, true);
  },
};

function rewrite(p: PathPacket, receiver: number, wireDst: number, source: number, destination: number, privatePath: boolean, redirected: boolean): Verdict {
  return { kind: 'rewrite', packet: { ...p, receiver, wireDst, source, destination, privatePath, redirected } };
}
