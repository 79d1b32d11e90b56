/**
 * `sgsim run --pcap <file>` as a user meets it: the capture written next to the usual output,
 * the same bytes as the library's capture of the same run (the CLI only feeds it), a section per
 * scenario file, alongside --trace, and a file it cannot write refused with exit code 2.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { loadScenarioFile, pcapOf, runScenario } from '../../src/index.ts';
import { readBlocks } from '../analysis/pcapng-reader.ts';

const root = join(import.meta.dirname, '..', '..');
const scenario4 = join(root, 'scenarios', '04-group-added-to-itself.yaml');
const scenario8 = join(root, 'scenarios', '08-revoke-keeps-tracked-connection.yaml');

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), color: false, cwd: root });
  return { code, out, err };
}

const outFile = (name: string) => join(mkdtempSync(join(tmpdir(), 'sgsim-pcap-cli-')), name);

describe('sgsim run --pcap', () => {
  it("writes the run's capture: the same bytes as the library's capture of the same run, the summary printed as usual", async () => {
    const file = outFile('run.pcapng');
    const r = await cli('run', scenario4, '--pcap', file);
    expect(r.code).toBe(0);
    expect(r.out).toContain('8 flows, 8 expectations met');
    const loaded = await loadScenarioFile(scenario4);
    if (!loaded.ok) throw new Error('scenario 4 does not load');
    const expected = pcapOf((section) => {
      runScenario(loaded.spec, { trace: section({ scenario: loaded.spec.name, file: 'scenarios/04-group-added-to-itself.yaml', seed: loaded.spec.seed }) });
    });
    expect(Buffer.from(readFileSync(file)).equals(Buffer.from(expected))).toBe(true);
  });

  it('gives each scenario file its own section, and writes --trace alongside (its events then carry packet numbers)', async () => {
    const file = outFile('two.pcapng');
    const trace = outFile('two.jsonl');
    const r = await cli('run', scenario4, scenario8, '--pcap', file, '--trace', trace);
    expect(r.code).toBe(0);
    const blocks = readBlocks(new Uint8Array(readFileSync(file)));
    expect(blocks.filter((b) => b.type === 0x0a0d0d0a)).toHaveLength(2);
    expect(blocks.filter((b) => b.type === 6).length).toBeGreaterThan(50);
    const events = readFileSync(trace, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(events.filter((e) => e.ev === 'scenario')).toHaveLength(2);
    expect(events.find((e) => e.ev === 'send').pkt).toBe(1);
  });

  it('is the same file whether the files run here or in workers (--jobs 1 or 3)', async () => {
    const here = outFile('here.pcapng');
    const pool = outFile('pool.pcapng');
    const files = [scenario4, scenario8, join(root, 'scenarios', '01-same-group-private-cidr.yaml')];
    expect((await cli('run', ...files, '--jobs', '1', '--pcap', here)).code).toBe(0);
    expect((await cli('run', ...files, '--jobs', '3', '--pcap', pool)).code).toBe(0);
    expect(readBlocks(new Uint8Array(readFileSync(here))).filter((b) => b.type === 0x0a0d0d0a)).toHaveLength(3);
    expect(readFileSync(here).equals(readFileSync(pool))).toBe(true);
  });

  it('is the same file twice for the same scenario and seed', async () => {
    const a = outFile('a.pcapng');
    const b = outFile('b.pcapng');
    await cli('run', scenario4, '--seed', '3', '--pcap', a);
    await cli('run', scenario4, '--seed', '3', '--pcap', b);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('a capture file it cannot write: exit code 2 and one message naming it, nothing run', async () => {
    const r = await cli('run', scenario4, '--pcap', join(root, 'no-such-dir', 'x.pcapng'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^sgsim: cannot write the capture file .*no-such-dir\/x\.pcapng: /);
    expect(r.out).toBe('');
  });

  it('is described by --help', async () => {
    expect((await cli('run', '--help')).out).toContain('--pcap <file.pcapng>');
  });
});
