/**
 * cli/commands/validate: `sgsim validate` — checks files without running them and lists every
 * problem of each (builder scripts load isolated, as for `run`).
 */
import { formatDiagnostic, palette } from '../../index.ts';
import { loadFile } from '../file-job.ts';
import { EXIT_INVALID_INPUT, EXIT_OK, type Io } from '../io.ts';
import { displayPath, expandPaths, isRunReport } from '../paths.ts';

export async function validateCommand(paths: string[], flags: { loadTimeout: number }, io: Io): Promise<number> {
  const p = palette(io.color);
  const { files, problems } = expandPaths(paths);
  let invalid = problems.length;
  for (const d of problems) io.stderr(`${p.red('error')} ${formatDiagnostic(d)}\n`);
  for (const { path, listed } of files) {
    const shown = displayPath(io.cwd, path);
    if (isRunReport(path)) {
      if (listed) io.stderr(`${p.yellow('note')} ${shown}: skipped: it is a run report written by \`sgsim run --json\`, not a scenario\n`);
      else {
        invalid++;
        io.stderr(`${p.red('error')} ${formatDiagnostic({ file: shown, path: '', message: 'this is a run report written by `sgsim run --json`, not a scenario' })}\n`);
      }
      continue;
    }
    const loaded = await loadFile(path, flags.loadTimeout);
    if (loaded.ok) io.stdout(`${p.green('valid')}   ${shown}\n`);
    else {
      invalid++;
      for (const d of loaded.diagnostics) io.stderr(`${p.red('error')} ${formatDiagnostic({ ...d, file: shown })}\n`);
    }
  }
  return invalid ? EXIT_INVALID_INPUT : EXIT_OK;
}
