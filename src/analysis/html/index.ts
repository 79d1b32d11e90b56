/**
 * analysis/html: the self-contained HTML run report (report.ts, page.ts), and htmlSectionOf,
 * which draws a finished run's diagram (analysis/diagram) and lists its flows.
 */
import { DiagramTooLargeError, renderDiagram } from '../diagram/index.ts';
import type { StreamingReport } from '../../scenario/run.ts';
import type { ScenarioSpec } from '../../scenario/spec.ts';
import { escapeHtml, htmlSection } from './report.ts';
import type { FlowEvents } from './trace.ts';

export { FlowEvents, eventLine, MAX_EVENTS_PER_FLOW } from './trace.ts';
export { escapeHtml, htmlHead, htmlSection, htmlTail, MAX_HTML_FLOWS, type HtmlSectionInput } from './report.ts';

/**
 * A run's section of the HTML report: its diagram coloured by its flows, and the flows table
 * (with each flow's trace events when `events` collected them during the run).
 */
export async function htmlSectionOf(spec: ScenarioSpec, run: StreamingReport, events?: FlowEvents): Promise<string> {
  let svg: string;
  try {
    svg = await renderDiagram(spec, 'svg', run.flows());
  } catch (e) {
    if (!(e instanceof DiagramTooLargeError)) throw e;
    svg = `<p class="note">No diagram: ${escapeHtml(e.message)}.</p>`;
  }
  return htmlSection({
    scenario: run.scenario,
    ...(run.file !== undefined ? { file: run.file } : {}),
    seed: run.seed,
    passed: run.passed,
    flowCount: run.flowCount,
    flows: run.flows(),
    expectations: run.expectations,
    svg,
    ...(events !== undefined ? { events: (i: number) => events.of(i) } : {}),
  });
}
