/**
 * fabric/path/hop: what a hop is, what it answers, and what it may ask of the world.
 *
 * A packet crosses a plan (plan.ts): an ordered list of hops. Each hop is a small pure
 * function of the packet as it stands and of the world in force (`PathWorld`), and answers
 * with a `Verdict`: pass it on, pass it on rewritten (addresses, ports, where it goes), admit
 * it (a filter lets it in: later filters are not asked), drop it (a code and the explanation),
 * or, for the last hop, say what the receiving host does with it. A hop changes nothing: the
 * fabric applies the verdicts (counters, connection tracking, trace, flow records, sending).
 * Hops are tagged with the side they run on: `send` hops when the packet leaves, `arrive`
 * hops when it arrives (time passes between the two; a question without time runs both at
 * once: plan.ts `runPlan`).
 * New hops (VPC: SG egress, route tables, NACLs, gateways, peering) are new values of `Hop`
 * placed in a plan; the machinery (plan.ts) does not change. What a hop needs of the world it
 * asks through `PathWorld`, which a VPC world extends.
 * Does not own: the order of hops (plan.ts), or applying verdicts (fabric.ts).
 */
import type { Ip } from '../../net/ipv4.ts';
import type { SecurityGroup } from '../../model/types.ts';
import type { IngressView } from '../../policy/match.ts';
import type { Explanation, ExplanationCode } from '../flows.ts';

/** A packet as it stands on its path. Hops never change one: a rewrite makes a new one. */
export interface PathPacket {
  /** IANA protocol number (6 tcp, 17 udp, 1 icmp). */
  readonly protocol: number;
  /** TCP flags (transport/tcp.ts), or sgsim's UDP echo mark; 0 for icmp. */
  readonly flags: number;
  /** Ports (icmp: the echo id, and type << 16 | code). */
  readonly sport: number;
  readonly dport: number;
  /** The sending host. */
  readonly sender: number;
  /** The destination address as the sender addressed it. */
  readonly addressed: Ip;
  /** The address it travels to (after any redirect); 0 until routed. */
  readonly wireDst: Ip;
  /** Source and destination as the receiver sees them (after NAT); 0 until routed. */
  readonly source: Ip;
  readonly destination: Ip;
  /** The host it goes to; -1 until routed. */
  readonly receiver: number;
  /** Sent over the private path (group identity kept), and redirected to a public address. */
  readonly privatePath: boolean;
  readonly redirected: boolean;
  /** The flow's request (a SYN, an echo request, a datagram, a transfer), not an answer. */
  readonly request: boolean;
  /**
   * The flow it belongs to (its record), or null: an answer carries its request's. It stands
   * for TCP's sequence numbers: a client takes an answer to a SYN only for its own SYN.
   */
  readonly flow: object | null;
}

/** What the receiving host does with a packet that reached it (the host hop's answer). */
export type HostAction =
  /** A client socket of the host takes the segment (its connection's state machine runs). */
  | { readonly kind: 'client' }
  /** The host answers as a server (SYN-ACK, RST, ACK, FIN-ACK; 0: nothing) from the port. */
  | { readonly kind: 'server'; readonly reply: number; readonly listening: boolean }
  /** A datagram delivered; `echo`: a listening service answers it. */
  | { readonly kind: 'datagram'; readonly echo: boolean }
  /** A service's answer to a datagram, consumed. */
  | { readonly kind: 'echo-consumed' }
  /** An echo request, answered with an echo reply. */
  | { readonly kind: 'echo-request' }
  /** An echo reply, for the ping socket of its echo id if one waits. */
  | { readonly kind: 'echo-reply' }
  /** Nothing answers it (another ICMP type). */
  | { readonly kind: 'none' };

export type Verdict =
  | { readonly kind: 'pass' }
  | { readonly kind: 'rewrite'; readonly packet: PathPacket }
  /** A filter admitted the packet (`by`: why); later filters are not asked. */
  | { readonly kind: 'admit'; readonly by: Explanation; readonly tracked?: number }
  /** `expired`: conntrack had the flow, idled out (the next filter's explanation says so). */
  | { readonly kind: 'note'; readonly expired: boolean }
  /**
   * `final`: the packet has nowhere to go (no sender, no route, no receiver), so no later hop
   * can be judged; else later hops are evaluated as if it passed, for the blockers they add.
   */
  | { readonly kind: 'drop'; readonly code: ExplanationCode; readonly why: Explanation; readonly final: boolean }
  | { readonly kind: 'deliver'; readonly action: HostAction };

export const PASS: Verdict = Object.freeze({ kind: 'pass' });

export function drop(why: Explanation, final = false): Verdict {
  return { kind: 'drop', code: why.code, why, final };
}

/** What has been decided about the packet so far, as later hops need it. */
export interface PathState {
  /** A filter admitted it (conntrack, rules, not filtered): later filters pass it. */
  readonly admitted: Explanation | null;
  /** Connection tracking had its flow, idled out. */
  readonly expired: boolean;
}

export interface Hop {
  /** A short name (trace, explanations): 'sender', 'route', 'nat', 'conntrack', 'groups', 'host'. */
  readonly name: string;
  /** When it runs: as the packet leaves, or as it arrives. */
  readonly side: 'send' | 'arrive';
  /** A filter: skipped (passes) once an earlier filter admitted the packet. */
  readonly filter: boolean;
  decide(packet: PathPacket, world: PathWorld, state: PathState): Verdict;
}

/**
 * The world in force as hops read it: hosts by number, their addresses, the address maps,
 * connection tracking and the groups in force. The fabric answers for the simulated world
 * (its tables, as they are now); a question without time can answer from a World snapshot.
 */
export interface PathWorld {
  nameOf(host: number): string;
  running(host: number): boolean;
  /** A host outside AWS. */
  external(host: number): boolean;
  /** Its region (a code: equal codes, same region). */
  regionOf(host: number): number;
  privateIpOf(host: number): Ip;
  /** Its EIP if it holds one, else its public IP; 0 when none. */
  publicIpOf(host: number): Ip;
  /** The host holding the private / public address, or -1. */
  holderOfPrivate(ip: Ip): number;
  holderOfPublic(ip: Ip): number;
  /** conntrack/table.ts lookup at the receiver now: a slot (>= 0), MISS or EXPIRED. */
  tracked(host: number, protocol: number, remote: Ip, localPort: number, remotePort: number): number;
  /** The idle time and timeout of the entry the last lookup found expired. */
  expiredFacts(): { readonly idleNs: number; readonly timeoutNs: number };
  /** The receiver's groups as in force now (after the propagation delay), in its order. */
  groupsInForce(host: number): readonly SecurityGroup[];
  /** The sender's groups while it is a running instance, else null. */
  senderGroups(host: number): readonly string[] | null;
  /** Whether the rules as configured (changes still propagating) would admit it, and when. */
  pendingWouldAdmit(host: number, view: IngressView): { readonly group: string; readonly effectiveAtNs: number } | null;
  /** Whether the host listens on the port (tcp/udp). */
  listens(host: number, protocol: number, port: number): boolean;
  /**
   * Whether a client socket of the host takes this TCP segment: the socket of its port talks
   * to its source address and port, and an answer to a SYN (a SYN-ACK, or an RST while the
   * socket is opening) answers the socket's own SYN (its flow is the socket's).
   */
  clientTakes(host: number, packet: PathPacket): boolean;
}
