/**
 * cli/main: the `sgsim` command.
 *
 * Owns: argv (commander): the commands, their options and how an option's value is checked,
 * and the process entry (its Io, cli/io.ts, and an internal error's stack trace, exit 3).
 * The commands themselves are in cli/commands/ (run, validate, generate). Exit codes
 * (cli/io.ts): 0 every expectation met, 1 an expectation failed, 2 invalid input (the file,
 * the field path and the problem, no stack trace; other files still run), 3 an internal error
 * (a bug: the stack trace is printed), 141 stdout closed under the run.
 * Talks to the rest of sgsim only through the public API (src/index.ts).
 */
import { availableParallelism } from 'node:os';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { generateCommand, type GenerateFlags } from './commands/generate.ts';
import { runCommand, type RunFlags } from './commands/run.ts';
import { validateCommand } from './commands/validate.ts';
import { EXIT_INTERNAL_ERROR, EXIT_INVALID_INPUT, EXIT_OK, processIo, type Io } from './io.ts';
import { registerImportCommand } from './import.ts';
import { traceCommand, type TraceFlags } from './commands/trace.ts';
import { reachCommand, type ReachFlags } from './commands/reach.ts';
import { exposureCommand, type ExposureFlags } from './commands/exposure.ts';

export { EXIT_OK, EXIT_EXPECTATION_FAILED, EXIT_INVALID_INPUT, EXIT_INTERNAL_ERROR, type Io } from './io.ts';
export { expandPaths } from './paths.ts';

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

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** A duration in milliseconds: `5s`, `500ms`, `1.5s`, `2m`, or a number of seconds; from 1 ms to 1 h. */
export function durationOption(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(value);
  const ms = m ? Number(m[1]) * UNIT_MS[m[2] ?? 's'] : NaN;
  if (!Number.isFinite(ms) || ms < 1 || ms > 3_600_000) throw new InvalidArgumentError('expected a duration from 1ms to 60m, such as 5s or 500ms');
  return Math.round(ms);
}

const DEFAULT_LOAD_TIMEOUT_MS = 5000;

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

  const cores = availableParallelism();
  program
    .command('run')
    .description('Run scenario files (.yaml, .yml, .json, .ts builder scripts) or every scenario file in a directory.')
    .argument('<paths...>', 'scenario files or directories')
    .option('--json', 'print the run report as JSON (one document; several files give {version, scenarios, errors})')
    .option('--seed <seed>', "override each scenario's seed", seedOption)
    .option('--trace <file.jsonl>', 'write every packet event (send, nat, redirect, deliver, drop, conntrack, change, outcome) as JSON lines; "-" for stdout (the summary then goes to stderr)')
    .option('--pcap <file.pcapng>', 'write every packet as a pcapng capture for Wireshark/tshark (drops as packet comments; a section per file)')
    .option('--timing', 'measure wall-clock time into stats.wallMs and show it in the summary (otherwise 0, so output is byte-identical across runs)')
    .option('--failed-only', 'list only the flows whose expectation failed (the counts and the tally still cover every flow)')
    .option('--jobs <n>', `files run at once, each in a worker thread (default: the number of cores, ${cores}); the output is the same for every n`, countOption(1, 256), cores)
    .option('--load-timeout <duration>', 'time a .ts builder script may take to load (default 5s); a script that takes longer is an invalid file', durationOption, DEFAULT_LOAD_TIMEOUT_MS)
    .option('--no-color', 'never colour the summary (colour is used only on a terminal, and never with NO_COLOR set)')
    .option(
      '--compile-after <packets>',
      "packets a receiver with more than 48 rules scans them for before compiling them into an index (default 256; 0: every receiver, from the first packet). Same results either way; for diagnosing the index",
      countOption(0, 1_000_000_000),
    )
    .addHelpText(
      'after',
      '\nExit codes: 0 every expectation met, 1 an expectation failed, 2 invalid input, 3 internal error (141: stdout was closed).\n' +
        'Progress is shown on stderr when it is a terminal and the run takes more than a second.\n' +
        'Examples:\n  sgsim run scenarios\n  sgsim run scenarios/04-group-added-to-itself.yaml --json\n  sgsim run my.yaml --seed 7 --trace out.jsonl\n  sgsim run big.json --failed-only',
    )
    .action(async (paths: string[], flags: RunFlags) => {
      code = await runCommand(paths, flags, io);
    });

  program
    .command('validate')
    .description('Check scenario files without running them; prints every problem found.')
    .argument('<paths...>', 'scenario files or directories')
    .option('--load-timeout <duration>', 'time a .ts builder script may take to load (default 5s)', durationOption, DEFAULT_LOAD_TIMEOUT_MS)
    .action(async (paths: string[], flags: { loadTimeout: number }) => {
      code = await validateCommand(paths, flags, io);
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
    .option('--format <yaml|json>', 'output format (JSON loads much faster for large worlds)', (v: string) => {
      if (v !== 'yaml' && v !== 'json') throw new InvalidArgumentError('expected yaml or json');
      return v;
    }, 'yaml')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .addHelpText('after', '\nExample:\n  sgsim generate --instances 1000 --groups 40 --rules-per-group 8 --regions 3 --seed 1 --flows 200 -o big.yaml\n  sgsim run big.yaml')
    .action((flags: GenerateFlags) => {
      code = generateCommand(flags, io);
    });

  registerImportCommand(program, io, (c) => (code = c));

  // Questions without traffic (scenario-format-vpc.md): the plan of hops over a world standing still.
  const protocolOption = (v: string): string => {
    if (v !== 'tcp' && v !== 'udp' && v !== 'icmp') throw new InvalidArgumentError('expected tcp, udp or icmp');
    return v;
  };
  const atHelp = 'the world after the timeline\'s changes up to this time (30s, 500ms, 2m; default: before the timeline)';
  program
    .command('trace')
    .description('One flow, hop by hop, both ways: the rewrites, the deciding hop, every blocker and the smallest verified fix.')
    .argument('<scenario>', 'a scenario file (or a describe-* folder)')
    .requiredOption('--from <host>', 'the sending host')
    .requiredOption('--to <address>', 'host.private|host.public|host.eip|host.dns, an instance, a host outside AWS, or an IP')
    .option('--protocol <p>', 'tcp (default), udp or icmp', protocolOption)
    .option('--port <n>', 'destination port (tcp, udp)', countOption(0, 65535))
    .option('--source-port <n>', 'source port (default 32768, the first ephemeral port)', countOption(0, 65535))
    .option('--at <t>', atHelp)
    .option('--json', 'print the answer as JSON')
    .addHelpText('after', '\nExit codes: 0 admitted (connected, refused, delivered, replied), 1 not, 2 invalid input, 3 internal error.\nExample:\n  sgsim trace scenarios/02-different-groups-public-ips.yaml --from web1 --to db1.public --port 5432')
    .action(async (path: string, flags: TraceFlags) => {
      code = await traceCommand(path, flags, io);
    });
  program
    .command('reach')
    .description('Who can reach whom: a table grouped by destination, with the rule that admits.')
    .argument('<scenario>', 'a scenario file (or a describe-* folder)')
    .option('--from <who>', 'internet, a host, or group:<name> (default: the internet and every running instance)')
    .option('--to <who>', 'a host or group:<name> (default: every running instance)')
    .option('--port <n>', 'one port (default: every port)', countOption(0, 65535))
    .option('--all-ports', 'every port (the default)')
    .option('--protocol <p>', 'tcp (default), udp or icmp', protocolOption)
    .option('--at <t>', atHelp)
    .option('--json', 'print the answer as JSON')
    .action(async (path: string, flags: ReachFlags) => {
      code = await reachCommand(path, flags, io);
    });
  program
    .command('exposure')
    .description('Findings: ports reachable from the internet (traced, not read off rules), unused groups, stale group references, shadowed rules.')
    .argument('<scenario>', 'a scenario file (or a describe-* folder)')
    .option('--fail-on <severity>', 'exit 1 when a finding is at least this severe: high (default), medium, low, none', (v: string) => {
      if (v !== 'high' && v !== 'medium' && v !== 'low' && v !== 'none') throw new InvalidArgumentError('expected high, medium, low or none');
      return v;
    })
    .option('--at <t>', atHelp)
    .option('--json', 'print the findings as JSON')
    .action(async (path: string, flags: ExposureFlags) => {
      code = await exposureCommand(path, flags, io);
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
  const io = processIo();
  main(process.argv.slice(2), io).then(
    (c) => {
      process.exitCode = c;
    },
    (e: unknown) => {
      io.stderr(`sgsim: internal error (this is a bug; please report it):\n${(e as Error)?.stack ?? String(e)}\n`);
      process.exitCode = EXIT_INTERNAL_ERROR;
    },
  );
}
