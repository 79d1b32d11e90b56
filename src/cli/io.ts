/**
 * cli/io: the CLI's exit codes and its outputs.
 *
 * Owns: the exit codes (0 every expectation met, 1 an expectation failed, 2 invalid input,
 * 3 an internal error; 74 when an output could not be written, 141 when stdout was closed
 * under it), the Io a command writes through
 * (tests pass strings-collecting ones), and the process's own: writes that go out in full and
 * at once (stdout and stderr may be pipes that fill up), and a closed stdout (`sgsim run … |
 * head`) that ends the process quietly with 141 (128 + SIGPIPE, as `yes | head` does), without
 * a stack trace.
 */
import { writeSync } from 'node:fs';

export const EXIT_OK = 0;
export const EXIT_EXPECTATION_FAILED = 1;
export const EXIT_INVALID_INPUT = 2;
export const EXIT_INTERNAL_ERROR = 3;
/** The output could not be written (a full disk, an I/O error): sysexits.h's EX_IOERR. */
export const EXIT_OUTPUT_FAILED = 74;
export const EXIT_OUTPUT_CLOSED = 141;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  color: boolean;
  cwd: string;
  /** Where progress is drawn (a terminal), or undefined for none. */
  progress?: NodeJS.WriteStream;
  /** How long a run goes before progress shows (default 1000 ms). */
  progressAfterMs?: number;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of `s` to file descriptor `fd`, waiting while a non-blocking pipe is full. */
export function writeFully(fd: number, s: string): void {
  const buf = Buffer.from(s);
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}

/** The Io of the sgsim process: fd 1 and 2, and a closed stdout ends the process (141). */
export function processIo(): Io {
  const color = !!process.stdout.isTTY && !process.env.NO_COLOR && process.env.TERM !== 'dumb';
  const write = (fd: number) => (s: string) => {
    try {
      writeFully(fd, s);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EPIPE' || code === 'ECONNRESET') process.exit(EXIT_OUTPUT_CLOSED);
      // Not a bug, so no stack trace: say which output and why, once, and stop.
      const which = fd === 1 ? 'stdout' : 'stderr';
      try {
        if (fd !== 2) writeSync(2, `sgsim: cannot write to ${which}: ${(e as Error).message}\n`);
      } catch {
        // stderr is gone too: the exit code is all that is left to say it.
      }
      process.exit(EXIT_OUTPUT_FAILED);
    }
  };
  return {
    stdout: write(1),
    stderr: write(2),
    color: process.env.FORCE_COLOR ? true : color,
    cwd: process.cwd(),
    progress: process.stderr.isTTY && !process.env.CI ? process.stderr : undefined,
  };
}
