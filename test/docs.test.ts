/**
 * test/docs: the reference in docs/ and the README agree with the code, and point only at what
 * a clone has.
 *
 * - Every relative link of the README, docs/ and bench/README.md names a file of the
 *   repository, and none refers to ../shared (the founding documents, which a clone lacks).
 * - docs/scenario-format.md: its example is a valid scenario; its tables of fields name exactly
 *   the fields the validator reads (scenario/schema.ts); its settings table holds exactly the
 *   settings, each with the default DEFAULT_SETTINGS has; its limits are the loader's.
 * - docs/cli.md documents every option `--help` lists, and every exit code.
 * - docs/codes.md names exactly the explanation codes a flow can carry (EXPLANATION_CODES).
 * - docs/report.md's tables name exactly the keys real reports have (the seed scenarios and
 *   one scenario here that makes every optional key appear).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, loadScenarioText } from '../src/scenario/load.ts';
import { MAX_DATAGRAMS, MAX_FLOWS, MAX_REPEAT, MAX_SEND_COUNT } from '../src/scenario/load/entries.ts';
import { MAX_DEPTH } from '../src/scenario/load/structure.ts';
import { MAX_SCENARIO_BYTES } from '../src/scenario/load/files.ts';
import { runScenario, type RunReport } from '../src/scenario/run.ts';
import { main } from '../src/cli/main.ts';
import { EXIT_EXPECTATION_FAILED, EXIT_INTERNAL_ERROR, EXIT_INVALID_INPUT, EXIT_OK, EXIT_OUTPUT_CLOSED, EXIT_OUTPUT_FAILED } from '../src/cli/io.ts';
import { DEFAULT_SETTINGS } from '../src/scenario/spec.ts';
import {
  ACTION_KEYS,
  EXPECT_FIELDS,
  EXPLANATION_CODES,
  INSTANCE_FIELDS,
  RULE_FIELDS,
  TOP_LEVEL_FIELDS,
  parseDuration,
} from '../src/scenario/schema.ts';

const ROOT = join(import.meta.dirname, '..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

const USER_DOCS = ['README.md', 'bench/README.md', 'test/faults/README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** The text under a heading, up to the next heading (of any level). */
function section(text: string, heading: string): string {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => /^#+ /.test(l) && l.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`no heading "${heading}"`);
  const end = lines.findIndex((l, i) => i > start && /^#+ /.test(l));
  return lines.slice(start + 1, end < 0 ? undefined : end).join('\n');
}

/** The body rows of every table in a text (each table's header and separator left out), as cells. */
function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  let inTable = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) {
      inTable = 0;
      continue;
    }
    if (inTable++ >= 2) rows.push(line.slice(1, -1).split('|').map((c) => c.trim()));
  }
  return rows;
}

/** The backticked names in the first column of the tables of a section. */
function firstColumn(text: string, heading: string): string[] {
  return tableRows(section(text, heading)).flatMap((cells) => [...cells[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
}

const sorted = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

describe('links', () => {
  it.each(USER_DOCS)('%s links only to files of the repository, and never to ../shared', (doc) => {
    const text = read(doc);
    expect(text.split('\n').filter((line) => line.includes('../shared'))).toEqual([]);
    const missing: string[] = [];
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1].split('#')[0];
      if (target === '' || /^[a-z]+:/.test(target)) continue; // an anchor, or a URL
      if (!existsSync(resolve(ROOT, dirname(doc), target))) missing.push(target);
    }
    expect(missing).toEqual([]);
  });
});

describe('docs/scenario-format.md', () => {
  const doc = read('docs/scenario-format.md');

  it('opens with an example that is a valid scenario', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const loaded = loadScenarioText(example!, 'example.yaml', 'yaml');
    expect(loaded.ok ? [] : loaded.diagnostics).toEqual([]);
  });

  it('lists exactly the fields the validator reads', () => {
    expect(sorted(firstColumn(doc, 'Top level'))).toEqual(sorted(TOP_LEVEL_FIELDS));
    expect(sorted(firstColumn(doc, 'Rules'))).toEqual(sorted(RULE_FIELDS));
    expect(sorted(firstColumn(doc, '`instances`'))).toEqual(sorted(INSTANCE_FIELDS));
    expect(sorted(firstColumn(doc, 'Actions'))).toEqual(sorted(ACTION_KEYS));
    expect(sorted(firstColumn(doc, 'Expectations'))).toEqual(sorted(EXPECT_FIELDS));
  });

  it('gives the loader\'s limits', () => {
    const limits = section(doc, 'Limits');
    for (const n of [MAX_SEND_COUNT, MAX_REPEAT, MAX_FLOWS, MAX_DATAGRAMS]) expect(limits).toContain(`| ${n.toLocaleString('en-US')} |`);
    expect(limits).toContain(`| ${MAX_DEPTH} levels |`);
    expect(limits).toContain(`| a JSON file | ${MAX_SCENARIO_BYTES.json / 2 ** 20} MiB |`);
    expect(limits).toContain(`| a YAML file, or a builder script's source | ${MAX_SCENARIO_BYTES.yaml / 2 ** 20} MiB |`);
  });

  it('gives every setting with the default the code has', () => {
    const leaves = (o: object, prefix = ''): [string, number][] =>
      Object.entries(o).flatMap(([k, v]) => (typeof v === 'object' ? leaves(v as object, `${prefix}${k}.`) : [[`${prefix}${k}`, v as number]]));
    const defaults = new Map(leaves(DEFAULT_SETTINGS));
    const documented = new Map<string, number>();
    for (const [key, , written] of tableRows(section(doc, '`settings`'))) {
      const value = written.replace(/\(.*\)/, '').trim();
      const parsed = /^\d+(\.\d+)?$/.test(value) ? Number(value) : parseDuration(value);
      documented.set(key.replaceAll('`', ''), parsed as number);
    }
    expect(sorted(documented.keys())).toEqual(sorted(defaults.keys()));
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(defaults));
  });
});

describe('docs/cli.md', () => {
  const doc = read('docs/cli.md');

  /** The options `sgsim <command> --help` lists (long forms). */
  async function optionsOf(...command: string[]): Promise<string[]> {
    let out = '';
    const code = await main([...command, '--help'], { stdout: (s) => (out += s), stderr: () => {}, color: false, cwd: ROOT });
    expect(code).toBe(0);
    return sorted([...out.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]).filter((o) => o !== '--help'));
  }

  it.each(['run', 'validate', 'generate', 'import aws'])('documents every option of sgsim %s', async (name) => {
    const command = name.split(' ');
    const heading = `\`sgsim ${command.join(' ')}${command[0] === 'generate' ? '' : command[0] === 'import' ? ' <dir>' : ' <file|dir>…'}\``;
    const text = section(doc, heading);
    const options = await optionsOf(...command);
    expect(options.length).toBeGreaterThan(0);
    expect(options.filter((o) => !text.includes(`\`${o}`) && !text.includes(`, ${o}`))).toEqual([]);
  });

  it('lists every exit code the CLI has', () => {
    const codes = tableRows(section(doc, 'Exit codes')).map((c) => Number(c[0]));
    expect(codes).toEqual([EXIT_OK, EXIT_EXPECTATION_FAILED, EXIT_INVALID_INPUT, EXIT_INTERNAL_ERROR, EXIT_OUTPUT_FAILED, EXIT_OUTPUT_CLOSED]);
  });
});

describe('docs/codes.md', () => {
  it('explains exactly the codes a flow can carry', () => {
    const doc = read('docs/codes.md');
    const named = [...firstColumn(doc, 'Flows that got through'), ...firstColumn(doc, 'Flows that failed')];
    expect(sorted(named)).toEqual(sorted(EXPLANATION_CODES));
  });
});

describe('docs/report.md', () => {
  /** Every optional key of a flow and an explanation appears in one of its flows. */
  const EVERY_KEY = `
version: 1
regions: { us-east-1: {} }
groups:
  A: { region: us-east-1, ingress: [ { from: { group: A } }, { protocol: tcp, ports: 22, from: { cidr: 0.0.0.0/0 }, description: ssh } ] }
instances:
  a: { region: us-east-1, groups: [A], services: [tcp/22] }
  b: { region: us-east-1, groups: [A] }
timeline:
  - { at: 0s, id: c, connect: { from: b, to: a.private, port: 22 }, expect: { outcome: refused } }
  - { at: 1s, id: p, ping: { from: b, to: a.public }, repeat: { every: 1s, count: 2 }, expect: { outcome: replied, path: public } }
  - { at: 5s, send: { from: b, to: a.public, port: 53 } }
`;

  function reports(): RunReport[] {
    const out: RunReport[] = [];
    const every = loadScenarioText(EVERY_KEY, 'every-key.yaml', 'yaml');
    if (!every.ok) throw new Error(JSON.stringify(every.diagnostics));
    out.push(runScenario(every.spec, { file: 'every-key.yaml' }));
    return out;
  }

  it('names exactly the keys of real reports', async () => {
    const all = reports();
    for (const f of readdirSync(join(ROOT, 'scenarios')).filter((n) => /\.(ya?ml|json)$/.test(n)).sort()) {
      const loaded = await loadScenarioFile(join(ROOT, 'scenarios', f));
      if (!loaded.ok) throw new Error(`${f}: ${JSON.stringify(loaded.diagnostics)}`);
      all.push(runScenario(loaded.spec, { file: f }));
    }
    const doc = read('docs/report.md');
    const keys = (objects: object[]): string[] => sorted(objects.flatMap((o) => Object.keys(o)));
    const flows = all.flatMap((r) => r.flows);
    expect(sorted(firstColumn(doc, "A scenario's report"))).toEqual(keys(all));
    expect(sorted(firstColumn(doc, 'A flow'))).toEqual(keys(flows));
    expect(sorted(firstColumn(doc, 'An explanation'))).toEqual(keys(flows.map((f) => f.explanation)));
    expect(sorted(firstColumn(doc, '`stats`'))).toEqual(keys(all.map((r) => r.stats)));
  });
});
