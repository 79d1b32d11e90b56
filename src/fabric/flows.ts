/**
 * fabric/flows: what a flow's observer records.
 *
 * Owns: the record of one traffic action (connect, send, ping, transfer) as the simulator
 * observes it: its outcome, the path and redirect of its first packet, the addresses the
 * receiver saw, and the explanation (admitting rule, or the denial's primary code and other
 * blockers). The fabric fills these in as packets travel; nothing here decides anything.
 * Does not own: expectations (scenario/) or rendering (analysis/).
 */
import type { Rule } from '../model/types.ts';

export type FlowAction = 'connect' | 'send' | 'ping' | 'transfer';
export type FlowOutcome = 'connected' | 'refused' | 'timeout' | 'delivered' | 'dropped' | 'replied';

/** Every explanation code a flow can carry (domain.md §7, scenario-format.md, and sgsim's own). */
export const EXPLANATION_CODES = [
  'ALLOWED_BY_RULE',
  'CONNECTION_REFUSED',
  'TRACKED_CONNECTION',
  'NOT_FILTERED',
  'SG_HAS_NO_RULES',
  'ENI_SG_RULES_MISMATCH',
  'SG_REFERENCES_NOT_PRESERVED',
  'SIM_PROPAGATION_PENDING',
  'SIM_CONNTRACK_EXPIRED',
  'NO_ROUTE_TO_DESTINATION',
  'SOURCE_NOT_RUNNING',
  'CONNECTION_NOT_OPEN',
  'SIM_NO_ANSWER_IN_TIME',
] as const;

export type ExplanationCode = (typeof EXPLANATION_CODES)[number];

/**
 * Why a flow ended as it did. The fabric's denials and rule admissions (policy/evaluate.ts
 * PacketDenial, settledDenial, RuleAdmission) write `message` when it is first read (a getter
 * on their prototype: a large run makes far more of them than anyone reads), and in a world
 * that no longer changes a RuleAdmission finds its `group` and `rule` the same way; read them
 * by name, or through JSON (their toJSON includes them). Spreading one (`{ ...e }`) copies
 * neither (and copies a settled denial's internal `_` fields).
 */
export interface Explanation {
  code: ExplanationCode;
  /** The admitting group (its key) for ALLOWED_BY_RULE / CONNECTION_REFUSED. */
  group?: string;
  rule?: Rule;
  blockers?: ExplanationCode[];
  message: string;
}

export interface FlowRecord {
  readonly index: number;
  readonly action: FlowAction;
  readonly protocol: 'tcp' | 'udp' | 'icmp';
  readonly from: string;
  readonly atNs: number;
  /** Destination address as the sender addressed it (null when the address spec named none). */
  to: number | null;
  port: number | null;
  outcome: FlowOutcome | null;
  path: 'private' | 'public' | null;
  redirected: boolean | null;
  /**
   * Source and destination as the receiver saw them on the request whose verdict the report
   * gives (the admitted one for an admission, the denied one for a denial; null when no request
   * reached a receiver). A flow's requests may leave from different addresses (an Elastic IP
   * associated between two SYNs), so this is written with each verdict that becomes the
   * flow's (Fabric.decidedBy), not at the first arrival.
   */
  source: number | null;
  destination: number | null;
  /** The same for the request whose admission `admission` holds (restored if the report gives the admission). */
  admittedSource: number | null;
  admittedDestination: number | null;
  explanation: Explanation | null;
  /** Connect/ping: why an answer (SYN-ACK, echo reply) was dropped on its way back, if one was. */
  replyDrop: Explanation | null;
  /** The fabric's version when `explanation` was computed, and the source of the packet it
   * was computed for: a retransmission from that source at that version may reuse it. */
  explanationVersion: number;
  explanationSource: number;
  /** Admission of the first admitted request packet (kept for refused/connected). */
  admission: Explanation | null;
  /** UDP: datagrams still to be decided, and whether any was dropped. */
  pending: number;
  anyDropped: boolean;
  resolvedAtNs: number | null;
  /** The fabric's number for this flow (0 until its first packet) and packets it has sent:
   * together they key each packet's latency jitter, so one flow's packets never shift another's. */
  serial: number;
  sent: number;
  /** Requests (SYNs, echo requests, datagrams) sent and not yet arrived. */
  requestsInFlight: number;
}

export function newFlow(index: number, action: FlowAction, protocol: FlowRecord['protocol'], from: string, atNs: number): FlowRecord {
  return {
    index,
    action,
    protocol,
    from,
    atNs,
    to: null,
    port: null,
    outcome: null,
    path: null,
    redirected: null,
    source: null,
    destination: null,
    admittedSource: null,
    admittedDestination: null,
    explanation: null,
    replyDrop: null,
    explanationVersion: -1,
    explanationSource: 0,
    admission: null,
    pending: 0,
    anyDropped: false,
    resolvedAtNs: null,
    serial: 0,
    sent: 0,
    requestsInFlight: 0,
  };
}

/** One line of the packet trace (`--trace`). Addresses are dotted strings. */
export type TraceEvent = { readonly tNs: number; readonly ev: string } & Record<string, unknown>;
/**
 * A reader of the trace. One that sets `packetIds` (the capture, analysis/pcap.ts) also gets
 * `pkt`, the packet's number in the run, on the events of each packet (its send; its arrival's
 * nat, conntrack, deliver or drop), and a packet dropped before it left (no route) described as
 * a send is (ports, flags); --trace does not ask for them.
 */
export type TraceSink = ((event: TraceEvent) => void) & { readonly packetIds?: boolean };
