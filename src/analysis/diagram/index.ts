/**
 * analysis/diagram: a scenario's world as a picture (model.ts → dot.ts / mermaid.ts, and
 * svg.ts for the Graphviz layout). This file is the directory's public surface.
 */
import { toDot } from './dot.ts';
import { toMermaid } from './mermaid.ts';
import { diagramOf } from './model.ts';
import { dotToSvg } from './svg.ts';
import type { FlowReport } from '../../scenario/run.ts';
import type { ScenarioSpec } from '../../scenario/spec.ts';

export { diagramOf, reachEdges, flowEdges, ruleLabel, INTERNET, type Diagram, type DiagramNode, type DiagramEdge, type DiagramBox, type EdgeState } from './model.ts';
export { toDot, dotString, htmlText, EDGE_COLOURS } from './dot.ts';
export { toMermaid } from './mermaid.ts';
export { dotToSvg } from './svg.ts';

export type DiagramFormat = 'svg' | 'dot' | 'mermaid';

/** More hosts than this make a picture nobody reads (and a layout that takes minutes). */
export const MAX_DIAGRAM_HOSTS = 300;

/** A world too large to draw. */
export class DiagramTooLargeError extends Error {
  override name = 'DiagramTooLargeError';
}

/** A scenario drawn in `format`; with `flows`, coloured by what the run's flows did. */
export async function renderDiagram(spec: ScenarioSpec, format: DiagramFormat, flows?: Iterable<FlowReport>): Promise<string> {
  const hosts = spec.instances.length + spec.external.length;
  if (hosts > MAX_DIAGRAM_HOSTS) {
    throw new DiagramTooLargeError(`${hosts} instances and external hosts are too many to draw (at most ${MAX_DIAGRAM_HOSTS})`);
  }
  const d = diagramOf(spec, flows);
  if (format === 'mermaid') return toMermaid(d);
  const dot = toDot(d);
  return format === 'dot' ? dot : dotToSvg(dot);
}
