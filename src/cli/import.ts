/**
 * cli/import: the `sgsim import aws <dir>` command.
 *
 * Owns: its options (`-o`, `--format`, `--region`), printing the import's warnings and errors
 * to stderr, writing the document (stdout without `-o`; nothing at all when the input is
 * invalid) and its exit codes: 0 written (warnings or not), 2 invalid input.
 * Talks to the rest of sgsim only through the public API (src/index.ts).
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { formatDiagnostic, formatWarning, importAwsFolder, isRegionName, renderImported } from '../index.ts';

/** What the command needs of the terminal (cli/main's Io fits). */
export interface ImportIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

interface ImportFlags {
  output?: string;
  format?: 'yaml' | 'json';
  region?: string;
}

/** Imports `dir` and writes the scenario; returns the exit code. */
export function importAwsCommand(dir: string, flags: ImportFlags, io: ImportIo): number {
  const result = importAwsFolder(dir, { region: flags.region });
  for (const w of result.warnings) io.stderr(formatWarning(w) + '\n');
  if (!result.ok) {
    for (const d of result.diagnostics) io.stderr(`error ${formatDiagnostic(d)}\n`);
    io.stderr('sgsim: nothing written\n');
    return 2;
  }
  const format = flags.format ?? (flags.output?.toLowerCase().endsWith('.json') ? 'json' : 'yaml');
  const text = renderImported(result.document, format);
  if (flags.output === undefined) {
    io.stdout(text);
    return 0;
  }
  try {
    writeFileSync(flags.output, text);
  } catch (e) {
    io.stderr(`sgsim: cannot write ${flags.output}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}\n`);
    return 2;
  }
  const doc = result.document;
  const count = (section: object | undefined): number => (section === undefined ? 0 : Object.keys(section).length);
  io.stderr(
    `wrote ${flags.output} from ${result.files} file${result.files === 1 ? '' : 's'}: ${count(doc.vpcs)} VPCs, ${count(doc.subnets)} subnets, ` +
      `${count(doc.groups)} groups, ${count(doc.instances)} instances, ${count(doc.routeTables)} route tables, ${count(doc.networkAcls)} NACLs` +
      (result.warnings.length > 0 ? ` (${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'} above)` : '') +
      '\n',
  );
  return 0;
}

/** Adds `import aws` to `program`; `done` receives the exit code. */
export function registerImportCommand(program: Command, io: ImportIo, done: (code: number) => void): void {
  const group = program.command('import').description('Turn a cloud account\'s own description into a scenario file.');
  group
    .command('aws')
    .description('Read every describe-* .json under <dir> (aws CLI, boto/placebo recordings, Batfish\'s aws_configs/ layout) and write a `platform: vpc` scenario.')
    .argument('<dir>', 'folder of describe-* JSON files (searched recursively)')
    .option('-o, --output <file>', 'write to a file instead of stdout (nothing is written when the input is invalid)')
    .option('--format <yaml|json>', 'output format (default yaml, or json for an -o file ending in .json)', (v: string) => {
      if (v !== 'yaml' && v !== 'json') throw new InvalidArgumentError('expected yaml or json');
      return v;
    })
    .option('--region <region>', 'region of VPCs that no <region>/ folder or subnet zone places', (v: string) => {
      if (!isRegionName(v)) throw new InvalidArgumentError('expected a region name such as us-east-1');
      return v;
    })
    .addHelpText(
      'after',
      '\nWarnings (what was not modelled) go to stderr; exit 0. Exit 2: an unreadable file, invalid JSON or a wrongly typed known key.\n' +
        'Example:\n  sgsim import aws ./describe -o world.yaml',
    )
    .action((dir: string, flags: ImportFlags) => {
      done(importAwsCommand(dir, flags, io));
    });
}
