/**
 * Tests of scenario/vpc against the importer: every describe-* folder of ../shared/data/aws,
 * imported (import/aws), is a valid `platform: vpc` document, but for CloudMapper's demo data,
 * whose invented instances hold their subnets' router addresses (x.x.x.1), which AWS never
 * assigns: those, and only those, are reported.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importAwsFolder } from '../../../src/import/aws/index.ts';
import { validateVpcScenario } from '../../../src/scenario/vpc/index.ts';

const DATA = join(import.meta.dirname, '../../../../shared/data/aws');

function folders(dir: string, depth = 0): string[] {
  const entries = readdirSync(dir);
  const here = entries.some((e) => e.endsWith('.json')) ? [dir] : [];
  if (depth >= 4) return here;
  return [...here, ...entries.map((e) => join(dir, e)).filter((p) => statSync(p).isDirectory()).flatMap((p) => folders(p, depth + 1))];
}

describe.skipIf(!existsSync(DATA))('imported folders validate', () => {
  const list = existsSync(DATA) ? folders(DATA).sort() : [];
  for (const dir of list) {
    const name = dir.slice(DATA.length + 1);
    it(name, () => {
      const imported = importAwsFolder(dir);
      expect(imported.ok, JSON.stringify(imported.ok ? '' : imported.diagnostics)).toBe(true);
      if (!imported.ok) return;
      const r = validateVpcScenario(JSON.parse(JSON.stringify(imported.document)), name);
      const problems = r.ok ? [] : r.diagnostics.map((d) => `${d.path}: ${d.message}`);
      if (name.startsWith('cloudmapper-demo')) {
        expect(problems.length).toBeGreaterThan(0);
        for (const p of problems) expect(p).toMatch(/^instances\.[^:]+\.privateIp: \S+\.1 is reserved for the VPC router of subnet /);
      } else expect(problems).toEqual([]);
    });
  }
});
