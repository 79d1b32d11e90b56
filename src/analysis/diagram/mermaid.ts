/**
 * analysis/diagram/mermaid: a Diagram (model.ts) as a Mermaid flowchart (for Markdown that
 * renders Mermaid, e.g. GitHub): boxes as subgraphs, edges labelled and coloured by state.
 *
 * Owns: Mermaid's syntax and escaping (names become n0, n1, … ids; text goes in quotes with
 * `"`, `<`, `>` and `&` as HTML entities, which Mermaid accepts in labels).
 */
import { EDGE_COLOURS } from './dot.ts';
import type { Diagram, DiagramBox } from './model.ts';

function text(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\|/g, '&#124;');
}

export function toMermaid(d: Diagram): string {
  const ids = new Map(d.nodes.map((n, i) => [n.id, `n${i}`]));
  const out = ['flowchart LR'];
  const node = (id: string, indent: string) => {
    const n = d.nodes.find((x) => x.id === id)!;
    const label = [text(n.title), ...n.lines.map(text)].join('<br/>');
    const [open, close] = n.kind === 'instance' ? ['(', ')'] : n.kind === 'internet' ? ['{{', '}}'] : ['([', '])'];
    out.push(`${indent}${ids.get(id)}${open}"${label}"${close}`);
  };
  const box = (b: DiagramBox, index: string, indent: string) => {
    out.push(`${indent}subgraph b${index}["${text(b.label)}"]`);
    for (const n of b.nodes) node(n, `${indent}  `);
    b.boxes.forEach((c, i) => box(c, `${index}_${i}`, `${indent}  `));
    out.push(`${indent}end`);
  };
  for (const id of d.loose) node(id, '  ');
  d.boxes.forEach((b, i) => box(b, String(i), '  '));
  d.edges.forEach((e, i) => {
    const arrow = (e.both ? '<' : '') + (e.path === 'private' ? '-.->' : '-->');
    out.push(`  ${ids.get(e.from)} ${arrow}|"${e.labels.map(text).join('<br/>')}"| ${ids.get(e.to)}`);
    out.push(`  linkStyle ${i} stroke:${EDGE_COLOURS[e.state]},color:${EDGE_COLOURS[e.state]}`);
  });
  return out.join('\n') + '\n';
}
