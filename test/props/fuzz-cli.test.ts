/**
 * The fuzz of the loader through the command (issue 15, item 8): `sgsim validate` on a few
 * generated files, hostile ones among them, ends with exit 0, 1 or 2 and never prints a stack
 * trace, within a time bound. (fuzz-loader.test.ts fuzzes the API in-process, many times.)
 */
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { stringify as toYaml } from 'yaml';

const BIN = join(import.meta.dirname, '../../bin/sgsim.js');
const tmp = mkdtempSync(join(tmpdir(), 'sgsim-fuzz-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const VALID = `version: 1
regions: { r1: {} }
groups: { A: { region: r1, ingress: [ { protocol: tcp, ports: 22, from: { cidr: 0.0.0.0/0 } } ] } }
instances: { web: { region: r1, groups: [A], services: [tcp/22] } }
external: { ext: { ip: 192.0.2.1 } }
timeline:
  - { at: 0s, connect: { from: ext, to: web.public, port: 22 }, expect: connected }
`;

function validate(files: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [BIN, 'validate', ...files], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

const STACK = /\n\s+at .+:\d+:\d+\)?\n|Error: .*\n\s+at /;

describe('sgsim validate on generated and hostile files', () => {
  it('exits 0, 1 or 2, never with a stack trace, and names each invalid file', { timeout: 120_000 }, () => {
    const files: string[] = [];
    const write = (name: string, text: string | Buffer): string => {
      const f = join(tmp, name);
      writeFileSync(f, text);
      files.push(f);
      return f;
    };
    write('valid.yaml', VALID);
    // Generated: random documents in both formats, and random bytes.
    fc.sample(fc.jsonValue({ maxDepth: 4 }), { numRuns: 4, seed: 42 }).forEach((doc, i) => {
      write(`doc${i}.json`, JSON.stringify(doc) ?? 'null');
      write(`doc${i}.yaml`, toYaml(doc));
    });
    fc.sample(fc.uint8Array({ maxLength: 200 }), { numRuns: 2, seed: 7 }).forEach((bytes, i) => write(`bytes${i}.yaml`, Buffer.from(bytes)));
    // Hostile: deep nesting, a bidi name, a count too large, a CIDR as an address.
    write('deep.json', `{"version":1,"regions":{"r":{}},"name":${'['.repeat(50_000)}${']'.repeat(50_000)}}`);
    write('deep.yaml', `version: 1\nregions: { r: {} }\nname: ${'['.repeat(50_000)}${']'.repeat(50_000)}\n`);
    write('bidi\u202e.yaml', VALID.replace('web:', 'w\u202eb:'));
    write('count.yaml', VALID.replace('connect: { from: ext, to: web.public, port: 22 }, expect: connected', 'send: { from: ext, to: web.public, port: 22, count: 5000000 }'));
    write('cidr.yaml', VALID.replace('{ ip: 192.0.2.1 }', '{ ip: 203.0.113.5/32 }'));
    // Special files: a FIFO and a directory with scenario names.
    const fifo = join(tmp, 'pipe.yaml');
    execFileSync('mkfifo', [fifo]);
    files.push(fifo);
    const dir = join(tmp, 'dir.json');
    mkdirSync(dir);
    files.push(dir);

    const all = validate(files);
    expect(all.status).toBe(2);
    expect(all.out).not.toMatch(STACK);
    for (const name of ['deep.json', 'deep.yaml', 'count.yaml', 'cidr.yaml', 'pipe.yaml', 'dir.json']) expect(all.out).toContain(name);
    expect(all.out).toContain('nested deeper than 100 levels');
    expect(all.out).toContain('it is a FIFO');
    expect(all.out).toContain('bidi\\u202e.yaml');
    expect(all.out).not.toMatch(/[\u202a-\u202e]/);
    // Alone (each process starts tsx, so only a few): the valid file passes, the others are 2.
    expect(validate([files[0]])).toMatchObject({ status: 0 });
    for (const f of [fifo, join(tmp, 'deep.yaml'), join(tmp, 'bytes0.yaml')]) {
      const one = validate([f]);
      expect(one.status).toBe(2);
      expect(one.out).not.toMatch(STACK);
    }
  });
});
