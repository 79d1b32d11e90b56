/**
 * analysis/html/trace: the trace events of each flow, kept for the HTML report's details.
 *
 * Owns: a trace sink that keeps, for each of the first MAX_HTML_FLOWS flows, its first
 * MAX_EVENTS_PER_FLOW events (those that name the flow: its packets, drops, NAT, outcome), and
 * how one event reads as a line. A flow's number in the trace is its place in the report.
 */
import type { TraceEvent, TraceSink } from '../../fabric/flows.ts';

/** At most this many flows get a row in the report (a run of millions would make a file no browser opens). */
export const MAX_HTML_FLOWS = 5000;

export const MAX_EVENTS_PER_FLOW = 40;

export class FlowEvents {
  private readonly byFlow = new Map<number, TraceEvent[]>();
  private readonly more = new Map<number, number>();

  readonly sink: TraceSink = (e: TraceEvent) => {
    const flow = e.flow;
    if (typeof flow !== 'number' || flow >= MAX_HTML_FLOWS) return;
    let list = this.byFlow.get(flow);
    if (!list) this.byFlow.set(flow, (list = []));
    if (list.length < MAX_EVENTS_PER_FLOW) list.push(e);
    else this.more.set(flow, (this.more.get(flow) ?? 0) + 1);
  };

  /** The events kept of flow i, and how many more there were. */
  of(i: number): { readonly events: readonly TraceEvent[]; readonly more: number } {
    return { events: this.byFlow.get(i) ?? [], more: this.more.get(i) ?? 0 };
  }
}

/** One event as a line: `1.000 ms deliver web1 10.0.0.2 → 10.0.0.1 by=ALLOWED_BY_RULE`. */
export function eventLine(e: TraceEvent): string {
  const parts = [`${(e.tNs / 1e6).toFixed(3)} ms`, e.ev];
  if (typeof e.host === 'string') parts.push(e.host);
  if (e.src !== undefined && e.dst !== undefined) {
    const sport = e.sport !== undefined ? `:${String(e.sport)}` : '';
    const dport = e.dport !== undefined ? `:${String(e.dport)}` : '';
    parts.push(`${String(e.src)}${sport} → ${String(e.dst)}${dport}`);
  }
  const shown = new Set(['tNs', 'ev', 'flow', 'host', 'src', 'dst', 'sport', 'dport', 'pkt']);
  for (const [k, v] of Object.entries(e)) if (!shown.has(k) && v !== undefined && v !== null) parts.push(`${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  return parts.join(' ');
}
