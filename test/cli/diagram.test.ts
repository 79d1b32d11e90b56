/**
 * `sgsim diagram` and `sgsim run --html` as a user meets them: a picture to stdout or a file,
 * a directory into a directory, an invalid file reported while the others are drawn, and the
 * HTML report written with a section per file, the same bytes with any --jobs.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

const root = join(import.meta.dirname, '..', '..');
const scenario4 = join(root, 'scenarios', '04-group-added-to-itself.yaml');
const scenario5 = join(root, 'scenarios', '05-group-added-to-another.yaml');

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, { stdout: (s) => (out += s), stderr: (s) => (err += s), color: false, cwd: root });
  return { code, out, err };
}
const tmp = () => mkdtempSync(join(tmpdir(), 'sgsim-diagram-cli-'));

describe('sgsim diagram', () => {
  it('prints one scenario as SVG, DOT or Mermaid', async () => {
    const svg = await cli('diagram', scenario4);
    expect(svg.code).toBe(0);
    expect(svg.out.startsWith('<svg')).toBe(true);
    const dot = await cli('diagram', scenario4, '--format', 'dot');
    expect(dot.out.startsWith('digraph "Scenario 4 - a group added to itself" {')).toBe(true);
    const mermaid = await cli('diagram', scenario4, '--format', 'mermaid');
    expect(mermaid.out.startsWith('flowchart LR')).toBe(true);
    expect((await cli('diagram', scenario4, '--format', 'png')).code).toBe(2);
  });

  it('with --run, colours the edges by the flows', async () => {
    const r = await cli('diagram', scenario4, '--format', 'dot', '--run');
    expect(r.code).toBe(0);
    expect(r.out).toContain('(SG_REFERENCES_NOT_PRESERVED)');
    expect(r.out).toContain('class="edge-refused"');
  });

  it('draws a directory into a directory, one picture per file; an invalid file is reported and the others drawn', async () => {
    const dir = join(tmp(), 'in');
    mkdirSync(dir);
    copyFileSync(scenario4, join(dir, 'a.yaml'));
    copyFileSync(scenario5, join(dir, 'b.yaml'));
    writeFileSync(join(dir, 'bad.yaml'), 'version: 1\nname: bad\nregions: {}\n');
    const out = join(tmp(), 'out');
    const r = await cli('diagram', dir, '-o', out, '--format', 'dot');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/bad\.yaml/);
    expect(readdirSync(out).sort()).toEqual(['a.dot', 'b.dot']);
    const without = await cli('diagram', dir);
    expect(without.code).toBe(2);
    expect(without.err).toContain('give -o a directory');
  });

  it('refuses a world too large to draw, exit 2, naming the file', async () => {
    const big = join(tmp(), 'big.yaml');
    expect((await cli('generate', '--instances', '400', '--groups', '5', '-o', big)).code).toBe(0);
    const r = await cli('diagram', big, '--format', 'dot');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/big\.yaml: \d+ instances and external hosts are too many to draw \(at most 300\)/);
    const html = join(tmp(), 'big.html');
    expect((await cli('run', big, '--html', html)).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('<p class="note">No diagram: ');
  });
});

describe('sgsim run --html', () => {
  it('writes one document with a section per file, the same bytes with --jobs 1 and 2', async () => {
    const a = join(tmp(), 'a.html');
    const b = join(tmp(), 'b.html');
    const r1 = await cli('run', scenario4, scenario5, '--html', a, '--jobs', '1');
    const r2 = await cli('run', scenario4, scenario5, '--html', b, '--jobs', '2');
    expect(r1.code).toBe(0);
    expect(r2.code).toBe(0);
    expect(r1.out).toContain('2 scenario files, 2 passed');
    const html = readFileSync(a, 'utf8');
    expect(html.match(/<section class="scenario">/g)).toHaveLength(2);
    expect(html.indexOf('Scenario 4')).toBeLessThan(html.indexOf('Scenario 5'));
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
    expect(readFileSync(b, 'utf8')).toBe(html);
  });

  it('refuses a file it cannot write, exit 2', async () => {
    const r = await cli('run', scenario4, '--html', join(tmp(), 'no', 'such', 'dir', 'r.html'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('cannot write the HTML report');
  });
});
