/**
 * test/architecture/imports: src/'s imports point one way, down the layer order, and form no cycle.
 *
 * The order and the rules are in ./layers.ts (docs/design.md, "Layers", explains them). The
 * first block reads the real src/; the second shows the checker fails on what it must catch
 * (a planted upward import, a sideways one, a cycle, a type import, a CLI reaching past
 * index.ts), so a green first block means something.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { importCycles, importsOf, layerViolations, readImports, unplaced, type Import } from './layers.ts';

const SRC = join(import.meta.dirname, '../../src');

describe("src/'s imports", () => {
  const { files, imports } = readImports(SRC);

  it('are read from every module (the reader sees the real graph, not an empty one)', () => {
    expect(files).toContain('index.ts');
    expect(files).toContain('fabric/fabric.ts');
    expect(files.length).toBeGreaterThan(20);
    expect(imports.length).toBeGreaterThan(60);
    // Each relative import names a module that was read: no edge is lost to a path the reader got wrong.
    const known = new Set(files);
    expect(imports.filter((i) => !known.has(i.to) && !i.to.startsWith('../')).map((i) => `${i.from}:${i.line} '${i.specifier}'`)).toEqual([]);
  });

  it('come from modules that each belong to a layer', () => {
    expect(unplaced(files)).toEqual([]);
  });

  it('never point up the layer order, sideways between peers, past index.ts from the CLI, or into core/ from a kernel-free layer', () => {
    expect(layerViolations(imports)).toEqual([]);
  });

  it('form no cycle, type imports included', () => {
    expect(importCycles(imports)).toEqual([]);
  });
});

/** A graph from `from -> to` pairs, as readImports would give it. */
function graph(...edges: [from: string, to: string, typeOnly?: boolean][]): Import[] {
  return edges.map(([from, to, typeOnly = false], i) => ({ from, to, specifier: to, typeOnly, line: i + 1 }));
}

describe('the checker', () => {
  it('fails on an upward import, type-only or not, and names the line', () => {
    expect(layerViolations(graph(['fabric/fabric.ts', 'scenario/spec.ts']))).toEqual([
      "fabric/fabric.ts:1 imports 'scenario/spec.ts': fabric is below scenario in the layer order, so it may not import it",
    ]);
    expect(layerViolations(graph(['fabric/resolve.ts', 'scenario/spec.ts', true]))).toEqual([
      "fabric/resolve.ts:1 imports the types of 'scenario/spec.ts': fabric is below scenario in the layer order, so it may not import it",
    ]);
    expect(layerViolations(graph(['core/simulator.ts', 'net/ipv4.ts']))).toHaveLength(1);
    expect(layerViolations(graph(['scenario/run.ts', 'analysis/report.ts']))).toHaveLength(1);
    expect(layerViolations(graph(['analysis/report.ts', 'index.ts']))).toHaveLength(1);
  });

  it('allows imports down the order and inside a directory', () => {
    expect(
      layerViolations(
        graph(
          ['fabric/fabric.ts', 'model/settings.ts'],
          ['fabric/fabric.ts', 'core/simulator.ts'],
          ['fabric/path/route.ts', 'fabric/flows.ts'],
          ['analysis/report.ts', 'scenario/run.ts', true],
          ['index.ts', 'scenario/run.ts'],
          ['cli/main.ts', 'index.ts'],
          ['cli/main.ts', 'cli/args.ts'],
        ),
      ),
    ).toEqual([]);
  });

  it('fails on an import between the independent peers policy, conntrack and transport', () => {
    expect(layerViolations(graph(['conntrack/table.ts', 'transport/tcp.ts'], ['policy/match.ts', 'conntrack/table.ts']))).toHaveLength(2);
  });

  it('fails when the CLI reaches past index.ts, a kernel-free layer imports core/, or src/ imports outside itself', () => {
    expect(layerViolations(graph(['cli/main.ts', 'scenario/load.ts']))).toEqual([
      "cli/main.ts:1 imports 'scenario/load.ts': the CLI talks to the rest only through src/index.ts",
    ]);
    expect(layerViolations(graph(['policy/index.ts', 'core/random.ts']))).toEqual([
      "policy/index.ts:1 imports 'core/random.ts': policy never imports the event kernel (core/)",
    ]);
    expect(layerViolations(graph(['scenario/run.ts', '../bench/common.ts']))).toHaveLength(1);
  });

  it('fails on a module of no known layer', () => {
    expect(unplaced(['fabric/fabric.ts', 'index.ts', 'vpc/route.ts'])).toEqual([
      'vpc/route.ts: vpc is not in the layer order (test/architecture/layers.ts, LAYERS)',
    ]);
  });

  it('fails on a cycle, inside one directory or through several, and says where it closes', () => {
    expect(importCycles(graph(['policy/a.ts', 'policy/b.ts'], ['policy/b.ts', 'policy/a.ts', true]))).toEqual(['policy/a.ts → policy/b.ts → policy/a.ts']);
    expect(importCycles(graph(['x.ts', 'y.ts'], ['y.ts', 'z.ts'], ['z.ts', 'x.ts'], ['z.ts', 'w.ts']))).toEqual(['x.ts → y.ts → z.ts → x.ts']);
    expect(importCycles(graph(['s.ts', 's.ts']))).toEqual(['s.ts → s.ts']);
    expect(importCycles(graph(['a.ts', 'b.ts'], ['a.ts', 'c.ts'], ['b.ts', 'c.ts']))).toEqual([]);
  });

  it('reads every form of import and nothing in comments or strings', () => {
    const text = [
      "import { a } from './a.ts';",
      "import type { B } from '../model/b.ts';",
      'import {',
      '  type C,',
      '  type D,',
      "} from './c.ts';",
      "export * from './e.ts';",
      "export type { F } from './f.ts';",
      "import fs from 'node:fs';",
      "import { z } from 'zod';",
      "// import { no } from './comment.ts';",
      "const s = \"import { no } from './string.ts'\";",
      "const m = await import('./dynamic.ts');",
      "type T = typeof import('./typeof.ts');",
      "import './side-effect.ts';",
    ].join('\n');
    expect(importsOf('fabric/x.ts', text).map((i) => [i.to, i.typeOnly, i.line])).toEqual([
      ['fabric/a.ts', false, 1],
      ['model/b.ts', true, 2],
      ['fabric/c.ts', true, 3],
      ['fabric/e.ts', false, 7],
      ['fabric/f.ts', true, 8],
      ['fabric/dynamic.ts', false, 13],
      ['fabric/typeof.ts', true, 14],
      ['fabric/side-effect.ts', false, 15],
    ]);
  });
});
