/**
 * The DOT, Mermaid and SVG of a diagram: clusters per region, escaped text, edges styled by
 * state and path, and the same bytes for the same input.
 */
import { describe, expect, it } from 'vitest';
import { diagramOf, dotString, htmlText, renderDiagram, toDot, toMermaid } from '../../../src/analysis/diagram/index.ts';
import { loadScenarioFile, runScenario } from '../../../src/index.ts';
import { join } from 'node:path';
import { specOf, WORLD } from './fixture.ts';

const spec = specOf(WORLD);

describe('toDot', () => {
  it('draws each region as a cluster holding its instances, the outside hosts in a box of their own', () => {
    const dot = toDot(diagramOf(spec));
    expect(dot).toMatch(/subgraph "cluster_0" \{\n\s+label=<<B>us-east-1<\/B>>[^\n]*\n\s+"a1";\n\s+"a2";\n\s+"b1";\n\s+\}/);
    expect(dot).toMatch(/subgraph "cluster_1" \{\n\s+label=<<B>eu-west-1<\/B>>[^\n]*\n\s+"eu";\n\s+\}/);
    expect(dot).toContain('subgraph "cluster_outside"');
    expect(dot).toContain('{ rank=same; "internet"; "admin"; "other"; }');
  });

  it('escapes names and labels: <, &, quotes in the scenario name cannot break the document', () => {
    const dot = toDot(diagramOf(spec));
    expect(dot.startsWith('digraph "Tom & Jerry\'s <b>\\"lab\\"</b>" {')).toBe(true);
    expect(dot).toContain('label=<<B>Tom &amp; Jerry&#39;s &lt;b&gt;&quot;lab&quot;&lt;/b&gt;</B>');
    expect(dotString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\nd"');
    expect(htmlText('<&>"\'')).toBe('&lt;&amp;&gt;&quot;&#39;');
  });

  it('styles edges: private dashed, public solid, colour by state, both ends for a pair, tooltip of the rules', () => {
    const dot = toDot(diagramOf(spec, runScenario(spec).flows));
    const line = (from: string, to: string) => dot.split('\n').find((l) => l.includes(`"${from}" -> "${to}" [label`))!;
    expect(line('b1', 'a1')).toContain('color="#1a7f37", style=dashed');
    expect(line('other', 'a1')).toContain('color="#cf222e", style=solid');
    expect(line('other', 'a1')).toContain('ENI_SG_RULES_MISMATCH');
    expect(line('a2', 'a1')).toContain('color="#d4700a"');
    expect(line('internet', 'a1')).toContain('tooltip="A: tcp 443 from 0.0.0.0/0"');
    expect(toDot(diagramOf(spec))).toMatch(/"a[12]" -> "a[12]" \[[^\n]*dir=both\]/);
  });
});

describe('toMermaid', () => {
  it('writes a flowchart with a subgraph per region and escaped labels', () => {
    const m = toMermaid(diagramOf(spec));
    expect(m.startsWith('flowchart LR\n')).toBe(true);
    expect(m).toContain('subgraph b0["us-east-1"]');
    expect(m).toMatch(/n\d+ -\.->\|"tcp 3306"\| n0/);
    expect(m).toMatch(/n[01] <-\.->\|"all"\| n[01]/);
    expect(m).not.toMatch(/<script/);
  });
});

describe('renderDiagram svg', () => {
  it('lays the seed scenario out with Graphviz: an SVG with a node per host, the same bytes every time', async () => {
    const loaded = await loadScenarioFile(join(import.meta.dirname, '..', '..', '..', 'scenarios', '04-group-added-to-itself.yaml'));
    if (!loaded.ok) throw new Error('scenario 4 does not load');
    const flows = runScenario(loaded.spec).flows;
    const a = await renderDiagram(loaded.spec, 'svg', flows);
    const b = await renderDiagram(loaded.spec, 'svg', flows);
    expect(a).toBe(b);
    expect(a.startsWith('<svg')).toBe(true);
    expect(a.match(/<g id="node\d+" class="node">/g)).toHaveLength(5);
    expect(a).toContain('<title>web1</title>');
    // The deciding code on hover: Graphviz writes an edge's tooltip as its link's title.
    const hover = 'member&#45;over&#45;public&#45;ip: connect web1.public:3306 → timeout (SG_REFERENCES_NOT_PRESERVED)';
    expect(a).toContain(`<title>${hover}</title>`);
    expect(a).toContain(`xlink:title="${hover}"`);
  });
});
