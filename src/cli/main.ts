/**
 * cli/main: the `sgsim` command.
 *
 * Owns: argv (commander), reading paths and directories, stdout/stderr, colour decisions, the
 * trace file, and exit codes (scenario-format.md): 0 every expectation met, 1 an expectation
 * failed, 2 invalid input (the file, the field path and the problem, no stack trace; other
 * files still run), 3 an internal error (a bug: the stack trace is printed).
 * Talks to the rest of sgsim only through the public API (src/index.ts).
 */
import { closeSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { extname, isAbsolute, join, relative, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { stringify as toYaml } from 'yaml';
import {
  REGION_NAMES,
  WorldError,
  generateScenario,
  formatDiagnostic,
  loadScenarioFile,
  palette,
  plural,
  renderText,
  runScenario,
  type Diagnostic,
  type RunReport,
  PcapWriter,
  teeTrace,
  type TraceSink,
} from '../index.ts';

export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;
export const EXIT_INVALID_INPUT = 2;
export const EXIT_INTERNAL_ERROR = 3;

const SCENARIO_EXTENSIONS = new Set(['.yaml', '.yml', '.json', '.ts']);

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
  cwd: string;
}

/** Expands files and directories (a directory means every scenario file in it, sorted). */
/** A file as reports name it: relative to the working directory when inside it, else as given. */
function displayPath(cwd: string, file: string): string {
  const rel = relative(cwd, resolve(cwd, file));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export function expandPaths(paths: readonly string[]): { files: string[]; problems: Diagnostic[] } {
  const files: string[] = [];
  const problems: Diagnostic[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      problems.push({ file: p, path: '', message: 'no such file or directory' });
      continue;
    }
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(p);
      } catch (e) {
        problems.push({ file: p, path: '', message: `cannot read the directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
        continue;
      }
      // Entries that cannot be stat'ed (a dangling link…) stay in: loading them reports why.
      const found = names
        .filter((n) => SCENARIO_EXTENSIONS.has(extname(n)) && !n.endsWith('.d.ts'))
        .sort()
        .map((n) => join(p, n))
        .filter((f) => !isDirectory(f));
      if (found.length === 0) problems.push({ file: p, path: '', message: 'the directory holds no scenario files (.yaml, .yml, .json, .ts)' });
      files.push(...found);
    } else files.push(p);
  }
  return { files, problems };
}

interface RunFlags {
  json?: boolean;
  seed?: string;
  trace?: string;
  pcap?: string;
  timing?: boolean;
  color?: boolean;
  compileAfter?: number;
}

async function runCommand(paths: string[], flags: RunFlags, io: Io): Promise<number> {
  const p = palette(io.color && flags.color !== false);
  const { files, problems } = expandPaths(paths);
  const reports: RunReport[] = [];
  const errors: Diagnostic[] = [...problems];
  let traceFd: number | null = null;
  if (flags.trace) {
    try {
      traceFd = openSync(flags.trace, 'w');
    } catch (e) {
      io.stderr(`sgsim: cannot write the trace file ${flags.trace}: ${(e as Error).message}\n`);
      return EXIT_INVALID_INPUT;
    }
  }
  let pcap: { fd: number; writer: PcapWriter } | null = null;
  if (flags.pcap) {
    try {
      const fd = openSync(flags.pcap, 'w');
      pcap = { fd, writer: new PcapWriter((b) => writeSync(fd, b)) };
    } catch (e) {
      io.stderr(`sgsim: cannot write the capture file ${flags.pcap}: ${(e as Error).message}\n`);
      return EXIT_INVALID_INPUT;
    }
  }
  for (const d of problems) io.stderr(`${p.red('error')} ${formatDiagnostic(d)}\n`);
  try {
    for (const file of files) {
      const shown = displayPath(io.cwd, file);
      const loaded = await loadScenarioFile(file);
      if (!loaded.ok) {
        const first = loaded.diagnostics[0];
        const d = { ...first, file: shown };
        errors.push(d);
        const more = loaded.diagnostics.length > 1 ? ` (and ${plural(loaded.diagnostics.length - 1, 'more problem')}; \`sgsim validate\` lists them)` : '';
        io.stderr(`${p.red('error')} ${formatDiagnostic(d)}${more}\n`);
        continue;
      }
      const capture = pcap?.writer.section({ scenario: loaded.spec.name, file: shown, seed: flags.seed ?? loaded.spec.seed }) ?? null;
      let trace: TraceSink | null = null;
      if (traceFd !== null) {
        const fd = traceFd;
        const seed = flags.seed ?? loaded.spec.seed;
        writeSync(fd, JSON.stringify({ ev: 'scenario', file: shown, scenario: loaded.spec.name, seed }) + '\n');
        let buffer = '';
        trace = (e) => {
          buffer += JSON.stringify(e) + '\n';
          if (buffer.length > 1 << 16) {
            writeSync(fd, buffer);
            buffer = '';
          }
        };
        if (capture) trace = teeTrace(trace, capture);
        try {
          reports.push(runScenario(loaded.spec, { seed: flags.seed, trace, file: shown, timing: flags.timing, compileReceiversAfter: flags.compileAfter }));
        } finally {
          if (buffer) writeSync(fd, buffer);
        }
      } else {
        try {
          reports.push(runScenario(loaded.spec, { seed: flags.seed, trace: capture, file: shown, timing: flags.timing, compileReceiversAfter: flags.compileAfter }));
        } catch (e) {
          if (!(e instanceof WorldError)) throw e;
          const d = { file: shown, path: 'timeline', message: e.message };
          errors.push(d);
          io.stderr(`${p.red('error')} ${formatDiagnostic(d)}\n`);
          continue;
        }
      }
      if (!flags.json) io.stdout(renderText(reports[reports.length - 1], p) + '\n');
    }
  } finally {
    if (traceFd !== null) closeSync(traceFd);
    if (pcap !== null) {
      pcap.writer.finish();
      closeSync(pcap.fd);
    }
  }
  if (flags.json) {
    const doc =
      files.length === 1 && errors.length === 0
        ? reports[0]
        : { version: 1, scenarios: reports, errors };
    io.stdout(JSON.stringify(doc, null, 2) + '\n');
  } else {
    const passed = reports.filter((r) => r.passed).length;
    const failed = reports.length - passed;
    const parts = [plural(files.length + problems.length, 'scenario file'), p.green(`${passed} passed`)];
    parts.push(failed ? p.red(`${failed} failed`) : `${failed} failed`);
    parts.push(errors.length ? p.red(`${errors.length} invalid`) : '0 invalid');
    io.stdout(`${parts.join(', ')}\n`);
  }
  if (errors.length > 0) return EXIT_INVALID_INPUT;
  return reports.every((r) => r.passed) ? EXIT_OK : EXIT_EXPECTATION_FAILED;
}

async function validateCommand(paths: string[], io: Io): Promise<number> {
  const p = palette(io.color);
  const { files, problems } = expandPaths(paths);
  let invalid = problems.length;
  for (const d of problems) io.stderr(`${p.red('error')} ${formatDiagnostic(d)}\n`);
  for (const file of files) {
    const shown = displayPath(io.cwd, file);
    const loaded = await loadScenarioFile(file);
    if (loaded.ok) io.stdout(`${p.green('valid')}   ${shown}\n`);
    else {
      invalid++;
      for (const d of loaded.diagnostics) io.stderr(`${p.red('error')} ${formatDiagnostic({ ...d, file: shown })}\n`);
    }
  }
  return invalid ? EXIT_INVALID_INPUT : EXIT_OK;
}

interface GenerateFlags {
  instances: number;
  groups: number;
  rulesPerGroup: number;
  regions: number;
  seed: string;
  flows: number;
  format: 'yaml' | 'json';
  output?: string;
}

function generateCommand(flags: GenerateFlags, io: Io): number {
  if (flags.regions > REGION_NAMES.length) {
    io.stderr(`sgsim: --regions must be at most ${REGION_NAMES.length}\n`);
    return EXIT_INVALID_INPUT;
  }
  const doc = generateScenario({
    instances: flags.instances,
    groups: flags.groups,
    rulesPerGroup: flags.rulesPerGroup,
    regions: flags.regions,
    seed: flags.seed,
    flows: flags.flows,
  });
  const text = flags.format === 'json' ? JSON.stringify(doc, null, 2) + '\n' : toYaml(doc, { lineWidth: 0 });
  if (flags.output) {
    writeFileSync(flags.output, text);
    io.stderr(`wrote ${flags.output} (${flags.instances} instances, ${flags.groups} groups, ${flags.flows} flows)\n`);
  } else io.stdout(text);
  return EXIT_OK;
}

function countOption(min: number, max: number): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer from ${min} to ${max}`);
    return n;
  };
}

function seedOption(value: string): string {
  if (value.trim() === '') throw new InvalidArgumentError('the seed must not be empty');
  return value;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  let code = EXIT_OK;
  const program = new Command()
    .name('sgsim')
    .description('Simulate EC2 networking and security groups: run scenarios, see what connects and why.')
    .version('0.1.0', '-V, --version')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(run with --help for usage)');

  program
    .command('run')
    .description('Run scenario files (.yaml, .yml, .json, .ts builder scripts) or every scenario file in a directory.')
    .argument('<paths...>', 'scenario files or directories')
    .option('--json', 'print the run report as JSON (one document; several files give {version, scenarios})')
    .option('--seed <seed>', "override each scenario's seed", seedOption)
    .option('--trace <file.jsonl>', 'write every packet event (send, nat, redirect, deliver, drop, conntrack, change, outcome) as JSON lines')
    .option('--pcap <file.pcapng>', 'write every packet as a pcapng capture for Wireshark/tshark (drops as packet comments)')
    .option('--timing', 'measure wall-clock time into stats.wallMs (otherwise 0, so output is byte-identical across runs)')
    .option('--no-color', 'never colour the summary (colour is used only on a terminal, and never with NO_COLOR set)')
    .option(
      '--compile-after <packets>',
      "packets a receiver with more than 48 rules scans them for before compiling them into an index (default 256; 0: every receiver, from the first packet). Same results either way; for diagnosing the index",
      countOption(0, 1_000_000_000),
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 every expectation met, 1 an expectation failed, 2 invalid input, 3 internal error.\n' +
        'Examples:\n  sgsim run scenarios\n  sgsim run scenarios/04-group-added-to-itself.yaml --json\n  sgsim run my.yaml --seed 7 --trace out.jsonl',
    )
    .action(async (paths: string[], flags: RunFlags) => {
      code = await runCommand(paths, flags, io);
    });

  program
    .command('validate')
    .description('Check scenario files without running them; prints every problem found.')
    .argument('<paths...>', 'scenario files or directories')
    .action(async (paths: string[]) => {
      code = await validateCommand(paths, io);
    });

  program
    .command('generate')
    .description('Write a generated, realistic EC2-Classic scenario (tiers that reference each other, CIDR rules, a few ports open to the world, some EIPs).')
    .option('--instances <n>', 'instances in all', countOption(1, 10_000_000), 100)
    .option('--groups <n>', 'security groups in all (each region also has its default group)', countOption(1, 1_000_000), 10)
    .option('--rules-per-group <n>', 'ingress rules in each generated group', countOption(0, 100_000), 5)
    .option('--regions <n>', 'regions', countOption(1, 64), 1)
    .option('--seed <seed>', 'seed of the generator and of the scenario', seedOption, '0')
    .option('--flows <n>', 'traffic entries (connect, send, ping) in the timeline, without expectations', countOption(0, 10_000_000), 0)
    .option('--format <yaml|json>', 'output format', (v: string) => {
      if (v !== 'yaml' && v !== 'json') throw new InvalidArgumentError('expected yaml or json');
      return v;
    }, 'yaml')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .addHelpText('after', '\nExample:\n  sgsim generate --instances 1000 --groups 40 --rules-per-group 8 --regions 3 --seed 1 --flows 200 -o big.yaml\n  sgsim run big.yaml')
    .action((flags: GenerateFlags) => {
      code = generateCommand(flags, io);
    });

  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return EXIT_OK;
      if (e.exitCode === 0) return EXIT_OK;
      return EXIT_INVALID_INPUT;
    }
    throw e;
  }
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT_INVALID_INPUT;
  }
  return code;
}

const isMain = process.argv[1] !== undefined && /[\\/]cli[\\/]main\.ts$/.test(process.argv[1]);
if (isMain || process.env.SGSIM_BIN === '1') {
  const color = !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  main(process.argv.slice(2), {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    color: process.env.FORCE_COLOR ? true : color,
    cwd: process.cwd(),
  }).then(
    (c) => {
      process.exitCode = c;
    },
    (e: unknown) => {
      process.stderr.write(`sgsim: internal error (this is a bug; please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = EXIT_INTERNAL_ERROR;
    },
  );
}
