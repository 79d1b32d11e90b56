/**
 * analysis/html/report: the run report as one self-contained HTML file (`sgsim run --html`).
 *
 * Owns: the document (inline CSS and JS, no network), one section per scenario file with its
 * diagram (inline SVG, analysis/diagram) and its flows as a table that filters by outcome,
 * code, host and port, and each flow's details (explanation, rule, expectation and what did
 * not hold, addresses and path) shown when its row is clicked. The document is written in
 * pieces — htmlHead(), htmlSection() per file, htmlTail() — so the CLI can write each file's
 * section as it finishes, in file order. Every text from a scenario goes through escapeHtml.
 * Does not own: running (scenario/run.ts) or the diagram itself (analysis/diagram).
 */
import type { TraceEvent } from '../../fabric/flows.ts';
import type { FlowReport } from '../../scenario/run.ts';
import { PAGE_SCRIPT, PAGE_STYLE } from './page.ts';
import { eventLine, MAX_HTML_FLOWS } from './trace.ts';

export { MAX_HTML_FLOWS } from './trace.ts';

/** Text or an attribute value, escaped for HTML: `& < > " '`. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface HtmlSectionInput {
  readonly scenario: string;
  readonly file?: string;
  readonly seed: string;
  readonly passed: boolean;
  readonly flowCount: number;
  readonly flows: Iterable<FlowReport>;
  readonly expectations: { readonly total: number; readonly failed: number };
  /** The diagram as inline SVG (trusted: Graphviz's output, its text escaped by dot.ts). */
  readonly svg: string;
  /** The trace events of flow i (its place in `flows`), if they were kept (trace.ts). */
  readonly events?: (i: number) => { readonly events: readonly TraceEvent[]; readonly more: number };
}

export function htmlHead(title: string): string {
  return (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    `<title>${escapeHtml(title)}</title>\n<style>${PAGE_STYLE}</style>\n</head>\n<body>\n` +
    `<header><h1>${escapeHtml(title)}</h1><p class="sub">sgsim run report</p></header>\n`
  );
}

export function htmlTail(): string {
  return `<script>${PAGE_SCRIPT}</script>\n</body>\n</html>\n`;
}

function outcomeClass(outcome: string): string {
  if (outcome === 'connected' || outcome === 'delivered' || outcome === 'replied') return 'good';
  if (outcome === 'refused') return 'refused';
  return 'bad';
}

/** The host part of a flow's target: `web1.private` → web1. */
function hostOf(target: string): string {
  const m = /^(.*)\.(private|public|eip|dns)$/.exec(target);
  return m ? m[1] : target;
}

function detailRows(f: FlowReport): [string, string][] {
  const rows: [string, string][] = [];
  const e = f.explanation;
  rows.push(['explanation', `${e.code}: ${e.message}`]);
  if (e.group !== undefined) rows.push(['group', e.group]);
  if (e.rule !== undefined) {
    const from = 'cidr' in e.rule.from ? e.rule.from.cidr : `group ${e.rule.from.group}`;
    const ports = e.rule.ports ?? e.rule.icmp;
    rows.push(['rule', `${e.rule.protocol}${ports !== undefined ? ` ${ports}` : ''} from ${from}${e.rule.description ? ` (${e.rule.description})` : ''}`]);
  }
  if (e.blockers && e.blockers.length > 0) rows.push(['blocked by', e.blockers.join(', ')]);
  rows.push(['flow', `${f.action} ${f.protocol} from ${f.from} to ${f.target}${f.port !== undefined ? ` port ${f.port}` : ''} at ${f.atMs} ms`]);
  if (f.source !== undefined || f.destination !== undefined) rows.push(['addresses', `${f.source ?? '?'} → ${f.destination ?? f.to}`]);
  if (f.path !== undefined) rows.push(['path', `${f.path}${f.redirected ? ' (redirected to the public address)' : ''}`]);
  if (f.expected !== undefined) rows.push(['expected', Object.entries(f.expected).map(([k, v]) => `${k}: ${String(v)}`).join(', ')]);
  if (f.mismatches !== undefined) rows.push(['did not hold', Object.entries(f.mismatches).map(([k, v]) => `${k}: got ${String(v)}`).join(', ')]);
  return rows;
}

function traceList(trace: { readonly events: readonly TraceEvent[]; readonly more: number }): string {
  if (trace.events.length === 0) return '';
  const items = trace.events.map((e) => `<li>${escapeHtml(eventLine(e))}</li>`).join('');
  const more = trace.more > 0 ? `<li>… and ${trace.more} more events</li>` : '';
  return `<tr><th>trace</th><td><ol class="trace">${items}${more}</ol></td></tr>`;
}

function flowRow(f: FlowReport, i: number, events: HtmlSectionInput['events']): string {
  const host = hostOf(f.target);
  const verdict = f.ok === undefined ? '' : f.ok ? '<span class="pass">pass</span>' : '<span class="fail">FAIL</span>';
  const name = f.id !== undefined ? `${f.id}${f.repetition !== undefined ? ` #${f.repetition}` : ''}` : `#${f.index}`;
  const attrs =
    `data-outcome="${escapeHtml(f.outcome)}" data-code="${escapeHtml(f.explanation.code)}" ` +
    `data-hosts="${escapeHtml(` ${f.from} ${host} ${f.to} `)}" data-port="${f.port ?? ''}"`;
  const details = detailRows(f)
    .map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join('') + (events ? traceList(events(i)) : '');
  return (
    `<tr class="flow" tabindex="0" data-i="${i}" ${attrs}>` +
    `<td>${f.atMs}</td><td>${escapeHtml(name)}</td><td>${escapeHtml(f.action)}</td><td>${escapeHtml(f.from)}</td>` +
    `<td>${escapeHtml(f.target)}</td><td>${f.port ?? ''}</td>` +
    `<td><span class="outcome ${outcomeClass(f.outcome)}">${escapeHtml(f.outcome)}</span></td>` +
    `<td><code>${escapeHtml(f.explanation.code)}</code></td><td>${verdict}</td></tr>\n` +
    `<tr class="details" hidden><td colspan="9"><table class="kv">${details}</table></td></tr>\n`
  );
}

function options(values: Iterable<string>): string {
  return [...new Set(values)].sort().map((v) => `<option value="${escapeHtml(v)}">${escapeHtml(v)}</option>`).join('');
}

/** One scenario file's section: summary, diagram, filters and the flows table. */
export function htmlSection(run: HtmlSectionInput): string {
  const rows: string[] = [];
  const outcomes: string[] = [];
  const codes: string[] = [];
  let i = 0;
  for (const f of run.flows) {
    if (i >= MAX_HTML_FLOWS) break;
    rows.push(flowRow(f, i, run.events));
    outcomes.push(f.outcome);
    codes.push(f.explanation.code);
    i++;
  }
  const shown = i < run.flowCount ? `<p class="note">The first ${i} of ${run.flowCount} flows are listed.</p>` : '';
  const verdict = run.passed ? '<span class="pass">passed</span>' : '<span class="fail">failed</span>';
  return (
    `<section class="scenario">\n<h2>${escapeHtml(run.scenario)}</h2>\n` +
    `<p class="meta">${run.file !== undefined ? `<code>${escapeHtml(run.file)}</code> · ` : ''}seed <code>${escapeHtml(run.seed)}</code> · ` +
    `${run.flowCount} flows · ${run.expectations.total} expectations, ${run.expectations.failed} failed · ${verdict}</p>\n` +
    `<figure class="diagram">${run.svg}</figure>\n` +
    `<form class="filters" onsubmit="return false">` +
    `<label>outcome <select name="outcome"><option value="">any</option>${options(outcomes)}</select></label>` +
    `<label>code <select name="code"><option value="">any</option>${options(codes)}</select></label>` +
    `<label>host <input name="host" type="search" placeholder="name"></label>` +
    `<label>port <input name="port" type="search" inputmode="numeric" placeholder="e.g. 3306"></label>` +
    `<span class="count"></span></form>\n${shown}` +
    `<table class="flows"><thead><tr><th>ms</th><th>flow</th><th>action</th><th>from</th><th>to</th><th>port</th><th>outcome</th><th>code</th><th>expect</th></tr></thead>\n` +
    `<tbody>\n${rows.join('')}</tbody></table>\n</section>\n`
  );
}
