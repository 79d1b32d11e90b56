/**
 * cli/commands/diagram: `sgsim diagram` — draws scenario files (analysis/diagram): one file to
 * stdout or `-o file`; a directory or several files into `-o <directory>`, one picture per
 * file named after it (`04-group-added-to-itself.svg`). `--run` runs each scenario first and
 * colours the edges by what its flows did. An invalid file is reported (exit 2) and the
 * others are still drawn.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DiagramTooLargeError, WorldError, formatDiagnostic, palette, plural, renderDiagram, runScenario, type DiagramFormat } from '../../index.ts';
import { loadFile } from '../file-job.ts';
import { EXIT_INVALID_INPUT, EXIT_OK, type Io } from '../io.ts';
import { displayPath, expandPaths, isRunReport } from '../paths.ts';

export interface DiagramFlags {
  format: DiagramFormat;
  output?: string;
  run?: boolean;
  loadTimeout: number;
}

const EXTENSION: Record<DiagramFormat, string> = { svg: 'svg', dot: 'dot', mermaid: 'mmd' };

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

export async function diagramCommand(paths: string[], flags: DiagramFlags, io: Io): Promise<number> {
  const p = palette(io.color);
  const { files, problems } = expandPaths(paths);
  let invalid = problems.length;
  for (const d of problems) io.stderr(`${p.red('error')} ${formatDiagnostic(d)}\n`);
  const scenarios = files.filter((f) => !isRunReport(f.path));
  const many = scenarios.length > 1 || paths.some(isDirectory);
  if (many && (flags.output === undefined || (!isDirectory(flags.output) && statSafe(flags.output)))) {
    io.stderr('sgsim: several scenario files give several pictures; give -o a directory to write them into\n');
    return EXIT_INVALID_INPUT;
  }
  if (many) mkdirSync(flags.output!, { recursive: true });
  let written = 0;
  for (const { path } of scenarios) {
    const shown = displayPath(io.cwd, path);
    const loaded = await loadFile(path, flags.loadTimeout);
    if (!loaded.ok) {
      invalid++;
      io.stderr(`${p.red('error')} ${formatDiagnostic({ ...loaded.diagnostics[0], file: shown })}\n`);
      continue;
    }
    let flows;
    if (flags.run) {
      try {
        flows = runScenario(loaded.spec, { file: shown }).flows;
      } catch (e) {
        if (!(e instanceof WorldError)) throw e;
        invalid++;
        io.stderr(`${p.red('error')} ${formatDiagnostic({ file: shown, path: 'timeline', message: e.message })}\n`);
        continue;
      }
    }
    let text: string;
    try {
      text = await renderDiagram(loaded.spec, flags.format, flows);
    } catch (e) {
      if (!(e instanceof DiagramTooLargeError)) throw e;
      invalid++;
      io.stderr(`${p.red('error')} ${shown}: ${e.message}\n`);
      continue;
    }
    if (many) {
      const out = join(flags.output!, `${basename(path).replace(/\.[^.]+$/, '')}.${EXTENSION[flags.format]}`);
      writeFileSync(out, text);
      written++;
    } else if (flags.output !== undefined) {
      writeFileSync(flags.output, text);
      written++;
    } else io.stdout(text);
  }
  if (many) io.stderr(`wrote ${plural(written, 'picture')} into ${flags.output}\n`);
  return invalid ? EXIT_INVALID_INPUT : EXIT_OK;
}

/** Whether something exists at `path`. */
function statSafe(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
