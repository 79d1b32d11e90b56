/**
 * analysis/diagram/dot: a Diagram (model.ts) as Graphviz DOT text.
 *
 * Owns: the DOT syntax and the look: boxes as clusters (`cluster_` subgraphs), instances as
 * rounded boxes with HTML-like labels (name in bold, addresses and groups below), external
 * hosts as ellipses, `internet` as a cloud-ish double octagon, edges coloured by state
 * (allowed grey, connected green, refused orange, timed out red), private paths dashed, and
 * each edge's hover text as its `tooltip` (Graphviz writes it into the SVG's `<title>` link).
 * Escaping: every name, address and label goes through dotString/htmlText, so `<`, `&` and
 * quotes in names cannot break the document.
 */
import type { Diagram, DiagramBox, DiagramEdge, DiagramNode, EdgeState } from './model.ts';

export const EDGE_COLOURS: Readonly<Record<EdgeState, string>> = {
  allowed: '#5b6770',
  connected: '#1a7f37',
  refused: '#d4700a',
  timeout: '#cf222e',
};

/** A DOT double-quoted string. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

/** Text inside a DOT HTML-like label. */
export function htmlText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function nodeLine(n: DiagramNode): string {
  const rows = [`<B>${htmlText(n.title)}</B>`, ...n.lines.map((l) => `<FONT POINT-SIZE="10">${htmlText(l)}</FONT>`)].join('<BR/>');
  const shape =
    n.kind === 'instance'
      ? 'shape=box, style="rounded,filled", fillcolor="#ffffff", color="#24292f"'
      : n.kind === 'internet'
        ? 'shape=doubleoctagon, style=filled, fillcolor="#ddf4ff", color="#0969da"'
        : 'shape=ellipse, style=filled, fillcolor="#fff8c5", color="#9a6700"';
  return `${dotString(n.id)} [label=<${rows}>, ${shape}, tooltip=${dotString([n.title, ...n.lines].join('\n'))}];`;
}

function boxLines(b: DiagramBox, index: string, indent: string): string[] {
  const out = [
    `${indent}subgraph ${dotString(`cluster_${index}`)} {`,
    `${indent}  label=<<B>${htmlText(b.label)}</B>>; style="rounded,filled"; fillcolor="#f6f8fa"; color="#8c959f"; margin=16;`,
  ];
  for (const n of b.nodes) out.push(`${indent}  ${dotString(n)};`);
  b.boxes.forEach((c, i) => out.push(...boxLines(c, `${index}_${i}`, `${indent}  `)));
  out.push(`${indent}}`);
  return out;
}

function edgeLine(e: DiagramEdge): string {
  const colour = EDGE_COLOURS[e.state];
  const style = e.path === 'private' ? 'dashed' : 'solid';
  const width = e.state === 'allowed' ? 1.2 : 2;
  const label = e.labels.map(htmlText).join('<BR/>');
  return (
    `${dotString(e.from)} -> ${dotString(e.to)} [label=<<FONT POINT-SIZE="10" COLOR="${colour}">${label}</FONT>>, ` +
    `color="${colour}", style=${style}, penwidth=${width}, tooltip=${dotString(e.tooltip)}, class=${dotString(`edge-${e.state}`)}${e.both ? ', dir=both' : ''}];`
  );
}

const LEGEND =
  'solid: over public addresses · dashed: over private addresses<BR/>' +
  'grey: allowed by a rule · green: connected · orange: refused · red: timed out / dropped';

/** The diagram as a DOT digraph (deterministic: same diagram, same text). */
export function toDot(d: Diagram): string {
  const lines = [
    `digraph ${dotString(d.name)} {`,
    `  graph [rankdir=LR, fontname="Helvetica", fontsize=12, nodesep=0.5, ranksep=1.1, compound=true, newrank=true, label=<<B>${htmlText(d.name)}</B><BR/><FONT POINT-SIZE="9" COLOR="#57606a">${LEGEND}</FONT>>, labelloc=t, tooltip=${dotString(d.name)}];`,
    '  node [fontname="Helvetica", fontsize=12, margin="0.3,0.1"];',
    '  edge [fontname="Helvetica", fontsize=10, arrowsize=0.8];',
  ];
  const nodes = new Map(d.nodes.map((n) => [n.id, n]));
  // Hosts outside EC2 sit in a box of their own, so no edge to them crosses a region's box.
  if (d.loose.length > 0) {
    lines.push('  subgraph "cluster_outside" {', '    label=<<B>outside EC2</B>>; style="rounded,dashed"; color="#8c959f"; margin=16;');
    for (const id of d.loose) lines.push(`    ${nodeLine(nodes.get(id)!)}`);
    lines.push(`    { rank=same; ${d.loose.map(dotString).join('; ')}; }`, '  }');
  }
  d.nodes.filter((n) => !d.loose.includes(n.id)).forEach((n) => lines.push(`  ${nodeLine(n)}`));
  d.boxes.forEach((b, i) => lines.push(...boxLines(b, String(i), '  ')));
  // Outside hosts to the left of every instance: an invisible edge from the first outside node
  // to each instance nothing points to puts it (and so every instance) at least one rank to
  // their right. Only to those: a longer invisible edge would still take room in the layout.
  if (d.loose.length > 0) {
    const pointedTo = new Set(d.edges.flatMap((e) => (e.both ? [e.to, e.from] : [e.to])));
    for (const n of d.nodes) {
      if (n.kind === 'instance' && !pointedTo.has(n.id)) lines.push(`  ${dotString(d.loose[0])} -> ${dotString(n.id)} [style=invis];`);
    }
  }
  for (const e of d.edges) lines.push(`  ${edgeLine(e)}`);
  lines.push('}');
  return lines.join('\n') + '\n';
}
