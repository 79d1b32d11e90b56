/**
 * test/architecture/layers: the layer order of src/ and a checker for it (used by imports.test.ts).
 *
 * Owns: the order itself (LAYERS, low to high; docs/design.md "Layers" draws it), reading every
 * module of src/ for what it imports (the TypeScript parser, so comments and strings are never
 * taken for imports), and judging an import graph: an import may point to its own directory or
 * down the order, never up and never sideways between the independent layers of one tier; the
 * CLI reaches the rest only through index.ts; the layers that are "sans-kernel" never import
 * core/; no module, through any chain of imports, imports itself.
 *
 * `import type` counts like any other import. It is erased at run time, but a lower layer that
 * names a higher layer's type speaks its vocabulary, which is the coupling the order forbids;
 * and a type that two layers need belongs in the lower one (that is why Settings lives in
 * model/settings.ts and AddressSpec in model/types.ts, not in scenario/spec.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

/**
 * src/'s layers, low to high. A tier with several layers holds independent peers: none of
 * them imports another. `index.ts` is src/index.ts, the public API. `import` (reading a real
 * account's descriptions into a scenario, `sgsim import aws`) writes on scenario's
 * vocabulary, beside analysis, below the API.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['core'],
  ['net'],
  ['model'],
  ['policy', 'conntrack', 'transport'],
  ['fabric'],
  ['scenario'],
  ['analysis', 'import'],
  ['index.ts'],
  ['cli', 'testing'],
];

/** Layers that never import the event kernel (core/): they are plain functions and data. */
export const KERNEL_FREE: readonly string[] = ['net', 'model', 'policy', 'conntrack', 'transport'];

/** The one module the CLI may import from src/ (besides its own directory). */
export const CLI_API = 'index.ts';
/** Layers that, like the CLI, build only on the public API (testing: the `sgsim/testing` entry). */
const API_ONLY: readonly string[] = ['cli', 'testing'];

export interface Import {
  /** The importing module, relative to the root, with `/` separators. */
  readonly from: string;
  /** The imported module as resolved, relative to the root (may lie outside it: `../bench/x.ts`). */
  readonly to: string;
  /** How it was written, for messages. */
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly line: number;
}

const MODULE_FILE = /\.(ts|mts|cts|js|mjs|cjs)$/;

/** Every module file under `dir`, relative to it, sorted. */
export function moduleFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (MODULE_FILE.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/**
 * The relative imports one module's text makes: import and export declarations (`import type`
 * included), `import x = require(…)`, dynamic `import(…)` with a literal, and `import('…')`
 * types. Package and `node:` imports are not the layers' business and are left out.
 */
export function importsOf(file: string, text: string): Import[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Import[] = [];
  const add = (node: ts.Node, specifier: ts.Expression | ts.TypeNode | undefined, typeOnly: boolean): void => {
    let spec: string | undefined;
    if (specifier && ts.isStringLiteralLike(specifier as ts.Node)) spec = (specifier as ts.StringLiteralLike).text;
    else if (specifier && ts.isLiteralTypeNode(specifier as ts.Node) && ts.isStringLiteral((specifier as ts.LiteralTypeNode).literal)) {
      spec = ((specifier as ts.LiteralTypeNode).literal as ts.StringLiteral).text;
    }
    if (spec === undefined || !spec.startsWith('.')) return;
    const to = join(dirname(file), spec).split(sep).join('/');
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ from: file, to, specifier: spec, typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const elements = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly || (clause.name === undefined && elements !== undefined && elements.length > 0 && elements.every((e) => e.isTypeOnly)));
      add(node, node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier) add(node, node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node)) {
      if (ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node, node.arguments[0], false);
    } else if (ts.isImportTypeNode(node)) {
      add(node, node.argument, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Every relative import of every module under `dir` (paths relative to `dir`). */
export function readImports(dir: string): { files: string[]; imports: Import[] } {
  const files = moduleFiles(dir);
  const imports = files.flatMap((f) => importsOf(f, readFileSync(resolve(dir, f), 'utf8')));
  return { files, imports };
}

/** The layer a module belongs to: its top directory under the root, or its own name at the top. */
export function layerOf(file: string): string {
  const slash = file.indexOf('/');
  return slash < 0 ? file : file.slice(0, slash);
}

function tierOf(layer: string): number {
  return LAYERS.findIndex((tier) => tier.includes(layer));
}

const where = (i: Import): string => `${i.from}:${i.line} imports ${i.typeOnly ? 'the types of ' : ''}'${i.specifier}'`;

/** Modules that belong to no layer (a new top directory must be given its place in LAYERS). */
export function unplaced(files: readonly string[]): string[] {
  return files.filter((f) => tierOf(layerOf(f)) < 0).map((f) => `${f}: ${layerOf(f)} is not in the layer order (test/architecture/layers.ts, LAYERS)`);
}

/** Imports that break the layer rules, each as one sentence. */
export function layerViolations(imports: readonly Import[]): string[] {
  const out: string[] = [];
  for (const i of imports) {
    if (i.to.startsWith('../') || i.to === '..') {
      out.push(`${where(i)}, outside src/`);
      continue;
    }
    const a = layerOf(i.from);
    const b = layerOf(i.to);
    if (a === b) continue;
    const ta = tierOf(a);
    const tb = tierOf(b);
    if (ta < 0 || tb < 0) continue; // reported by unplaced()
    if (API_ONLY.includes(a) && i.to !== CLI_API) {
      out.push(`${where(i)}: ${a === 'cli' ? 'the CLI' : a} talks to the rest only through src/${CLI_API}`);
    } else if (tb > ta) {
      out.push(`${where(i)}: ${a} is below ${b} in the layer order, so it may not import it`);
    } else if (tb === ta) {
      out.push(`${where(i)}: ${a} and ${b} are independent layers of one tier; neither imports the other`);
    } else if (b === 'core' && KERNEL_FREE.includes(a)) {
      out.push(`${where(i)}: ${a} never imports the event kernel (core/)`);
    }
  }
  return out;
}

/**
 * Import cycles between modules (type imports included), each as the chain that closes it,
 * `a.ts → b.ts → a.ts`. Every module of a cycle is reported in at least one chain.
 */
export function importCycles(imports: readonly Import[]): string[] {
  const next = new Map<string, string[]>();
  for (const i of imports) {
    const list = next.get(i.from) ?? [];
    if (!list.includes(i.to)) list.push(i.to);
    next.set(i.from, list);
  }
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[] = [];
  const visit = (m: string): void => {
    state.set(m, 'open');
    stack.push(m);
    for (const n of (next.get(m) ?? []).slice().sort()) {
      const s = state.get(n);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(n)), n].join(' → '));
      else if (s === undefined) visit(n);
    }
    stack.pop();
    state.set(m, 'done');
  };
  for (const m of [...next.keys()].sort()) if (!state.has(m)) visit(m);
  return cycles;
}
