/**
 * fabric/path/vpc/walk: a packet's way through the VPC fabric, one direction, without time
 * (domain-vpc.md §9, §10).
 *
 * Owns: the order of hops between the sender's ENI and the receiver's (§10 steps 2-5): the route
 * table of the subnet the packet leaves unless its destination is a private IP of the same
 * subnet (layer 2: no route table, no NACL, §3, §6); NACL↑ after the route lookup (Batfish's
 * order); the gateways in route order — IGW (and re-entry by the destination's IGW), NAT gateway
 * (its subnet's NACL in, the NAT, its table, its NACL out), peering, TGW (attachment NACLs and
 * tables), VGW, appliance ENIs; NACL↓ of the destination subnet. It records every hop in a
 * trail, goes on past a drop as if it had passed (the blocked path) unless the drop is final,
 * and follows what the path does to group identity (same VPC, peering, TGW, or translated by an
 * IGW, a NAT gateway, an appliance or TGW peering), whether it went public or through a NAT
 * gateway, and the NAT mappings (a reply's walk reverses them).
 * Does not own: the hops' verdicts (the hop files), the SG hops at either end, the host and the
 * reply's construction (plan.ts).
 */
import type { Direction, NetworkInterface, VpcExternalHost } from '../../../model/vpc/types.ts';
import { getInstance, getInterface, interfaceOf, privateHolder, subnetOf, type VpcWorld } from '../../../model/vpc/world.ts';
import { leavesSubnet } from '../../../model/vpc/routes.ts';
import type { NaclCheck } from '../../../model/vpc/tgw.ts';
import { drop, formatIp, isRfc1918, verdictWord, type IdentityPath, type Rewrite, type VpcHop, type VpcHopKind, type VpcPacket, type VpcVerdict } from './hop.ts';
import { routeHop } from './route.ts';
import { naclHop } from './nacl.ts';
import { igwEgress, igwIngress, publicTarget } from './igw.ts';
import { natInbound, natOutbound, type NatMapping } from './nat-gateway.ts';
import { peeringHop } from './peering.ts';
import { tgwEnter, tgwExitNacls, tgwRoute } from './tgw.ts';
import { vgwExit } from './vgw.ts';
import { applianceEni } from './eni.ts';

/** Where a walk ended: at an ENI (which private IP), at an external host, on the internet, or nowhere. */
export type Arrival =
  | { readonly kind: 'eni'; readonly eni: NetworkInterface }
  | { readonly kind: 'external'; readonly host: VpcExternalHost }
  | { readonly kind: 'internet' }
  | { readonly kind: 'none' };

const MAX_GATEWAYS = 12;

/** One direction's walk: its trail and what the path did. */
export class Walk {
  readonly hops: VpcHop[] = [];
  blocked = false;
  ended = false;
  identity: IdentityPath = { kind: 'same-vpc' };
  public = false;
  nat = false;
  alwaysTracked = false;
  readonly rewrites: Rewrite[] = [];
  readonly mappings: NatMapping[];
  arrival: Arrival = { kind: 'none' };
  packet: VpcPacket;
  private gateways = 0;

  constructor(
    readonly world: VpcWorld,
    start: VpcPacket,
    readonly reply: boolean,
    mappings: readonly NatMapping[] = [],
  ) {
    this.packet = start;
    this.mappings = [...mappings];
  }

  /** Records a hop's verdict; returns false once the walk can go no further (a final drop). */
  record(kind: VpcHopKind, name: string, verdict: VpcVerdict, subnet?: string): boolean {
    const hop: VpcHop = {
      kind,
      name,
      verdict: verdictWord(verdict),
      answer: verdict,
      ...(verdict.kind === 'drop' ? { code: verdict.code } : {}),
      ...(subnet !== undefined ? { subnet } : {}),
      hypothetical: this.blocked,
    };
    this.hops.push(hop);
    if (verdict.kind === 'rewrite') {
      this.packet = verdict.packet;
      this.rewrites.push(...verdict.rewrites);
    }
    if (verdict.kind === 'drop') {
      this.blocked = true;
      if (verdict.final) {
        this.ended = true;
        return false;
      }
    }
    return true;
  }

  /** Identity is lost for good (IGW, NAT gateway, appliance, TGW peering). */
  translate(): void {
    this.identity = { kind: 'translated' };
  }

  nacl(subnet: string, direction: Direction): boolean {
    const n = naclHop(this.world, subnet, direction, this.packet);
    return this.record(direction === 'ingress' ? 'nacl-in' : 'nacl-out', n.acl, n.verdict, subnet);
  }

  naclChecks(checks: readonly NaclCheck[]): boolean {
    for (const c of checks) if (!this.nacl(c.subnet, c.direction)) return false;
    return true;
  }

  /** One more gateway on the way; too many is a routing loop. */
  private hopBudget(kind: VpcHopKind, name: string): boolean {
    if (++this.gateways <= MAX_GATEWAYS) return true;
    return this.record(kind, name, drop('SIM_ROUTING_LOOP', 'the packet loops between gateways', true));
  }

  // -------------------------------------------------------------------------------------------
  // Leaving a subnet (§10 steps 2-4)

  /** The packet leaves `subnet` (of an ENI, a NAT gateway or an appliance) toward its destination. */
  fromSubnet(subnet: string): void {
    const world = this.world;
    const vpc = subnetOf(world, subnet).vpc;
    if (!leavesSubnet(world, subnet, this.packet.destination)) {
      this.deliverInVpc(vpc, subnet, []);
      return;
    }
    const r = routeHop(world, subnet, this.packet.destination);
    if (!this.record('route-table', r.table, r.verdict, subnet) || r.target === null) return;
    if (!this.nacl(subnet, 'egress')) return;
    const target = r.target;
    switch (target.kind) {
      case 'local':
        this.deliverInVpc(vpc, subnet, null);
        return;
      case 'igw':
        this.viaIgw(target.id, vpc);
        return;
      case 'nat':
        this.viaNat(target.id, subnet);
        return;
      case 'pcx':
        this.viaPeering(target.id, vpc);
        return;
      case 'tgw':
        this.viaTgw(target.id, vpc, subnet);
        return;
      case 'vgw':
        this.viaVgw(target.id);
        return;
      case 'eni':
      case 'instance':
        this.viaAppliance(target.kind, target.id, subnet);
        return;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Arriving in a VPC (§10 step 5, up to the destination ENI)

  /**
   * The packet is in `vpc` (from `fromSubnet`, or from outside it: null) and goes to the holder of
   * its destination. `checks`: the NACLs to meet instead of the destination subnet's inbound one
   * (TGW exits; [] for the same subnet).
   */
  deliverInVpc(vpc: string, fromSubnet: string | null, checks: readonly NaclCheck[] | null): void {
    const world = this.world;
    const dst = this.packet.destination;
    const holder = privateHolder(world, vpc, dst);
    if (holder === undefined) {
      this.record('eni', formatIp(dst), drop('NO_ROUTE_TO_DESTINATION', `nothing in ${vpc} holds ${formatIp(dst)}`, true));
      return;
    }
    const subnet = holder.kind === 'eni' ? interfaceOf(world, holder.eni).subnet : world.natGateways[holder.nat].subnet;
    if (checks !== null) {
      if (!this.naclChecks(checks)) return;
    } else if (fromSubnet !== subnet && !this.nacl(subnet, 'ingress')) return;
    if (holder.kind === 'eni') {
      this.arrival = { kind: 'eni', eni: interfaceOf(world, holder.eni) };
      return;
    }
    // To the NAT gateway's own address: only an answer of one of its mappings gets through.
    const nat = world.natGateways[holder.nat];
    if (!this.hopBudget('nat', nat.id)) return;
    if (!this.record('nat', nat.id, natInbound(nat, this.packet, this.mappings), nat.subnet)) return;
    this.nat = true;
    this.alwaysTracked = true;
    this.fromSubnet(nat.subnet);
  }

  // -------------------------------------------------------------------------------------------
  // Gateways (§10 step 4)

  private viaIgw(igw: string, vpc: string): void {
    if (!this.hopBudget('igw', igw)) return;
    if (!this.record('igw', igw, igwEgress(this.world, igw, vpc, this.packet))) return;
    this.public = true;
    this.translate();
    this.fromInternet();
  }

  /** A packet on the internet, to its destination: a public address in the region, an external host, or the internet itself. */
  fromInternet(): void {
    const world = this.world;
    const dst = this.packet.destination;
    const target = publicTarget(world, dst);
    if (target !== null) {
      const g = igwIngress(world, target.vpc, target.privateIp, this.packet);
      if (!this.hopBudget('igw', g.igw)) return;
      if (!this.record('igw', g.igw, g.verdict)) return;
      this.public = true;
      this.translate();
      this.deliverInVpc(target.vpc, null, null);
      return;
    }
    const host = Object.values(world.external).find((e) => e.ip === dst && e.via === undefined);
    if (host !== undefined) {
      this.arrival = { kind: 'external', host };
      return;
    }
    if (isRfc1918(dst) || privateHolderAnywhere(world, dst)) {
      this.record('igw', formatIp(dst), drop('NO_ROUTE_TO_DESTINATION', `${formatIp(dst)} is not a public address anyone holds`, true));
      return;
    }
    this.arrival = { kind: 'internet' };
  }

  private viaNat(natId: string, fromSubnet: string): void {
    const world = this.world;
    const nat = world.natGateways[natId];
    if (!this.hopBudget('nat', natId)) return;
    if (nat.subnet === fromSubnet) {
      this.record('nat', natId, drop('SIM_ROUTING_LOOP', `the sender is in ${natId}'s own subnet ${fromSubnet}: it is not served`, true), fromSubnet);
      return;
    }
    if (!this.nacl(nat.subnet, 'ingress')) return;
    const out = natOutbound(world, nat, this.packet);
    if (!this.record('nat', natId, out.verdict, nat.subnet)) return;
    if (out.mapping !== null) this.mappings.push(out.mapping);
    this.nat = true;
    this.alwaysTracked = true;
    this.translate();
    this.fromSubnet(nat.subnet);
  }

  private viaPeering(pcx: string, fromVpc: string): void {
    if (!this.hopBudget('pcx', pcx)) return;
    const p = peeringHop(this.world, pcx, fromVpc, this.packet);
    if (!this.record('pcx', pcx, p.verdict) || p.toVpc === null) return;
    this.identity = this.identity.kind === 'same-vpc' ? { kind: 'peering', peering: pcx } : { kind: 'translated' };
    this.deliverInVpc(p.toVpc, null, null);
  }

  private viaTgw(tgwId: string, fromVpc: string, fromSubnet: string): void {
    const world = this.world;
    const tgw = world.transitGateways[tgwId];
    if (!this.hopBudget('tgw', tgwId)) return;
    const entry = tgwEnter(world, tgw, fromVpc, fromSubnet);
    if (!this.record('tgw', tgwId, entry.verdict) || entry.attachment === null) return;
    if (!this.naclChecks(entry.naclChecks)) return;
    const r = tgwRoute(world, tgw, entry.attachment, this.packet.destination);
    for (const s of r.steps) if (!this.record('tgw', s.tgw, s.verdict)) return;
    if (r.exit === null) return;
    this.alwaysTracked = true;
    const toVpc = r.exit.attachment.vpc;
    this.identity = this.identity.kind === 'same-vpc' && !r.peered ? { kind: 'tgw', tgw: tgwId, fromVpc, toVpc } : { kind: 'translated' };
    const holder = privateHolder(world, toVpc, this.packet.destination);
    const destSubnet = holder === undefined ? undefined : holder.kind === 'eni' ? getInterface(world, holder.eni)?.subnet : world.natGateways[holder.nat]?.subnet;
    this.deliverInVpc(toVpc, null, destSubnet === undefined ? null : tgwExitNacls(world, r.exit.attachment, destSubnet));
  }

  private viaVgw(vgw: string): void {
    if (!this.hopBudget('vgw', vgw)) return;
    const v = vgwExit(this.world, vgw, this.packet);
    if (!this.record('vgw', vgw, v.verdict) || v.host === null) return;
    this.arrival = { kind: 'external', host: v.host };
  }

  private viaAppliance(kind: 'eni' | 'instance', id: string, fromSubnet: string): void {
    const world = this.world;
    let eni: NetworkInterface | undefined;
    if (kind === 'eni') eni = getInterface(world, id);
    else {
      const inst = getInstance(world, id);
      eni = inst === undefined || inst.interfaces.length === 0 ? undefined : getInterface(world, inst.interfaces[0]);
    }
    if (!this.hopBudget('eni', id)) return;
    if (eni === undefined) {
      this.record('eni', id, drop('BAD_STATE_ROUTE', `appliance ${id} does not exist`, true));
      return;
    }
    if (eni.subnet !== fromSubnet && !this.nacl(eni.subnet, 'ingress')) return;
    if (!this.record('eni', eni.id, applianceEni(world, eni), eni.subnet)) return;
    this.translate();
    this.fromSubnet(eni.subnet);
  }
}

function privateHolderAnywhere(world: VpcWorld, ip: number): boolean {
  for (const vpc of Object.keys(world.vpcs)) if (privateHolder(world, vpc, ip) !== undefined) return true;
  return false;
}
