/**
 * fabric/flow-book: writing what becomes of each flow, as its packets travel.
 *
 * Owns: the rules by which packet events become a flow's record (fabric/flows.ts FlowRecord):
 * a flow resolved once (outcome, explanation, time; the `outcome` trace event); a dropped
 * request kept as the reason a connect or ping times out, a UDP send or a transfer decided at
 * once; a dropped answer as the reason if nothing dropped the requests; the source and
 * destination of the request whose verdict the report gives (deniedAt, admittedAt, resolve);
 * and why a flow that got no answer timed out (noAnswer).
 * Does not own: deciding anything about packets (path/, fabric.ts).
 */
import type { Simulator } from '../core/simulator.ts';
import type { Ip } from '../net/ipv4.ts';
import type { Explanation, ExplanationCode, FlowRecord, TraceSink } from './flows.ts';

export class FlowBook {
  constructor(
    private readonly sim: Simulator,
    private readonly trace: TraceSink | null,
  ) {}

  resolve(flow: FlowRecord, outcome: FlowRecord['outcome'], explanation: Explanation | null): void {
    if (flow.outcome !== null) return;
    flow.outcome = outcome;
    // The report gives the admission: the source is its request's (a later request may have
    // been denied from another address).
    if (explanation !== null && explanation === flow.admission && flow.admittedSource !== null) {
      flow.source = flow.admittedSource;
      flow.destination = flow.admittedDestination;
    }
    flow.explanation = explanation;
    flow.resolvedAtNs = this.sim.now;
    if (this.trace) this.trace({ tNs: this.sim.now, ev: 'outcome', flow: flow.index, outcome, code: explanation?.code ?? null });
  }

  failFlow(flow: FlowRecord, code: ExplanationCode, message: string): void {
    const outcome = flow.action === 'send' || flow.action === 'transfer' ? 'dropped' : 'timeout';
    this.resolve(flow, outcome, { code, message });
  }

  /** A packet of the flow was dropped: remember why; UDP and transfers are decided at once. */
  recordDrop(flow: FlowRecord, why: Explanation, request = true): void {
    if (!request) {
      // An answer lost on its way back: the reason a connect or ping times out, if nothing
      // dropped its requests.
      if ((flow.action === 'connect' || flow.action === 'ping') && flow.replyDrop === null) flow.replyDrop = why;
      return;
    }
    if (flow.action === 'send') {
      this.datagramDecided(flow, true, why);
      return;
    }
    if (flow.action === 'transfer') {
      this.resolve(flow, 'dropped', why);
      return;
    }
    if ((flow.action === 'connect' || flow.action === 'ping') && flow.outcome === null) {
      flow.explanation = why; // kept as the reason if the flow times out
    }
  }

  datagramDecided(flow: FlowRecord, dropped: boolean, why: Explanation): void {
    if (dropped && !flow.anyDropped) {
      flow.anyDropped = true;
      flow.explanation = why;
    }
    if (!dropped && flow.admission === null) flow.admission = why;
    flow.pending--;
    if (flow.pending === 0) {
      const first = flow.anyDropped ? flow.explanation : flow.admission;
      flow.explanation = null;
      this.resolve(flow, flow.anyDropped ? 'dropped' : 'delivered', first);
    }
  }

  /**
   * A receiver denied a request of `flow` that it saw from `src` to `dst` (called before
   * recordDrop): if that denial becomes the explanation a timeout or drop reports (a connect's
   * or ping's latest, a send's first), the flow's source and destination are this packet's.
   */
  deniedAt(flow: FlowRecord, src: Ip, dst: Ip): void {
    if (flow.outcome !== null || (flow.action === 'send' && flow.anyDropped)) return;
    flow.source = src;
    flow.destination = dst;
  }

  /**
   * A receiver admitted the flow's first admitted request, seen from `src` to `dst` (its
   * admission is being recorded): kept for a report that gives the admission (resolve), and
   * the flow's source now unless an earlier denial is what a timeout would report.
   */
  admittedAt(flow: FlowRecord, src: Ip, dst: Ip): void {
    flow.admittedSource = src;
    flow.admittedDestination = dst;
    if (flow.explanation !== null && flow.source !== null) return;
    flow.source = src;
    flow.destination = dst;
  }

  /**
   * Why a connect or ping timed out: a dropped request, else a dropped answer, else nothing
   * was dropped and the answer was late (the round trip is longer than the sender waits).
   */
  noAnswer(flow: FlowRecord, within: string): Explanation {
    if (flow.explanation !== null) return flow.explanation;
    if (flow.replyDrop !== null) return flow.replyDrop;
    const request = flow.admission !== null ? `the request got through (${flow.admission.message})` : 'nothing dropped the request';
    return { code: 'SIM_NO_ANSWER_IN_TIME', message: `${request}, but no answer came back ${within}` };
  }
}
