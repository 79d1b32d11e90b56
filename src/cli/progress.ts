/**
 * cli/progress: the progress line of a long `sgsim run`, on stderr, only on a terminal.
 *
 * Owns: when it shows (stderr is a terminal, and the run has lasted more than a second; a
 * phase that cannot report as it goes — parsing a large file — shows it at once), what it
 * says (the phase — loading, running, writing —, the file, flows started of the file's total,
 * files done of all), and getting out of the way: it is cleared before any message is written
 * to stderr and when the run ends. Drawn by cli-progress, which redraws from inside a
 * synchronous run too (its synchronousUpdate).
 */
import cliProgress from 'cli-progress';

export type Phase = 'load' | 'run' | 'write';

const WORDS: Record<Phase, string> = { load: 'loading', run: 'running', write: 'writing' };
/** Files from this size on take long enough to parse that their loading is shown at once. */
const BIG_FILE = 8 << 20;

export interface ProgressView {
  update(file: string, phase: Phase, done: number, total: number, filesDone: number, big?: boolean): void;
  /** Clears the line (before a message is written, and at the end). */
  clear(): void;
}

export const NO_PROGRESS: ProgressView = { update() {}, clear() {} };

export function progressOn(stream: NodeJS.WriteStream, filesTotal: number, afterMs = 1000): ProgressView {
  const started = Date.now();
  let bar: cliProgress.SingleBar | null = null;
  let last: { total: number; done: number; payload: object } | null = null;
  let shownPhase: string | null = null;
  const show = () => {
    if (bar !== null || last === null) return;
    bar = new cliProgress.SingleBar(
      {
        stream,
        format: '{phase} {file} [{bar}] {flows} | files {files}/{filesTotal}',
        hideCursor: true,
        clearOnComplete: true,
        barsize: 20,
        fps: 8,
        linewrap: false,
        gracefulExit: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Math.max(1, last.total), last.done, last.payload);
  };
  return {
    update(file, phase, done, total, filesDone, big = false) {
      // (Writing reports no position: the flows written so far are not counted.)
      const flows = phase === 'write' ? `${total} flows` : total > 0 ? `${done}/${total} flows` : phase === 'load' ? '' : `${done} flows`;
      last = { total, done, payload: { phase: WORDS[phase], file, flows, files: filesDone, filesTotal } };
      if (bar === null && (big || Date.now() - started >= afterMs)) show();
      if (bar !== null) {
        bar.setTotal(Math.max(1, total));
        bar.update(done, last.payload);
        // A new phase or file is drawn at once, not at the next redraw: a phase shorter than
        // cli-progress's redraw interval would otherwise never be shown.
        const now = `${phase} ${file}`;
        if (now !== shownPhase) {
          shownPhase = now;
          bar.render();
        }
      }
    },
    clear() {
      if (bar === null) return;
      bar.stop();
      bar = null;
      shownPhase = null;
    },
  };
}

export { BIG_FILE };
