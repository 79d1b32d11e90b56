/**
 * bench/common: small helpers shared by the workload scripts (bench/w*.ts).
 *
 * Owns: the conventions every workload child process follows — read its flags, time only the
 * loop with a monotonic clock, report peak RSS as benchmarks.md defines it, and print exactly
 * one JSON line on stdout as its last line (bench/run.ts reads that line). Anything else a
 * workload wants to say goes to stderr.
 * Does not own: the workloads themselves, or running / comparing them (bench/run.ts).
 */

/** Seconds elapsed since `start` (a process.hrtime.bigint() reading). */
export function secondsSince(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** Peak resident set size of this process so far, in MiB (`maxRSS` is in KiB). */
export function peakRssMb(): number {
  return round(process.resourceUsage().maxRSS / 1024, 1);
}

/** Rounds to `digits` decimal places (for readable JSON; never used inside a timed loop). */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** Reads `--name` as a positive integer, accepting 1e6 and 1_000_000 spellings. */
export function positiveInt(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw.replaceAll('_', ''));
  if (!Number.isSafeInteger(v) || v <= 0) {
    process.stderr.write(`--${name} must be a positive integer, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return v;
}

/**
 * Prints the result as the last line on stdout. When `error` is given, the line carries it and
 * the process exits with status 1, so the runner marks the run failed (numbers are not trusted).
 */
export function emitResult(result: Record<string, unknown>, error?: string): void {
  const line = error === undefined ? result : { ...result, error };
  process.stdout.write(`${JSON.stringify(line)}\n`);
  if (error !== undefined) {
    process.stderr.write(`${error}\n`);
    process.exitCode = 1;
  }
}
