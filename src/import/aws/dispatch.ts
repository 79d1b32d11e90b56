/**
 * import/aws/dispatch: one folder of describe-* JSON → one `platform: vpc` scenario document.
 *
 * Owns: which module owns which top-level key (by key, never by file name), checking each
 * owned key against its module's schema (a wrongly typed value is a diagnostic naming the file
 * and JSON path, and nothing is written), the warning for a top-level key no module owns
 * (once per key and file; an empty value says nothing is lost and is not warned; boto's
 * `ResponseMetadata` is not warned; a pagination token is: the response is a part), and the
 * order the modules write their sections in (each after what it refers to).
 */
import { basename, resolve } from 'node:path';
import type { z } from 'zod';
import { formatPath, type Diagnostic } from '../../scenario/diagnostics.ts';
import { addressesModule } from './addresses.ts';
import { ImportContext, type FileContext, type ImportOptions, type ResourceModule } from './context.ts';
import { Draft, type VpcScenarioDocument } from './document.ts';
import { emitInstances, instancesModule } from './instances.ts';
import { emitInternetGateways, internetGatewaysModule } from './internet-gateways.ts';
import { emitNatGateways, natGatewaysModule } from './nat-gateways.ts';
import { emitNetworkAcls, networkAclsModule } from './network-acls.ts';
import { networkInterfacesModule } from './network-interfaces.ts';
import { emitPeerings, peeringsModule } from './peerings.ts';
import { emitPrefixLists, prefixListsModule } from './prefix-lists.ts';
import { jsonFiles, layoutOf, readResponse, isObject } from './read.ts';
import { emitRouteTables, routeTablesModule } from './route-tables.ts';
import { emitSecurityGroups, securityGroupsModule } from './security-groups.ts';
import { emitSubnets, subnetsModule } from './subnets.ts';
import { emitTransitGateways, transitGatewaysModule } from './transit-gateways.ts';
import { emitVpcs, vpcsModule } from './vpcs.ts';
import { emitVpnGateways, vpnGatewaysModule } from './vpn-gateways.ts';
import type { ImportWarning } from './warnings.ts';

const MODULES: readonly ResourceModule[] = [
  vpcsModule,
  subnetsModule,
  routeTablesModule,
  networkAclsModule,
  securityGroupsModule,
  instancesModule,
  networkInterfacesModule,
  internetGatewaysModule,
  natGatewaysModule,
  vpnGatewaysModule,
  prefixListsModule,
  peeringsModule,
  transitGatewaysModule,
  addressesModule,
];

const OWNER = new Map<string, ResourceModule>(MODULES.flatMap((m) => Object.keys(m.keys).map((k) => [k, m] as const)));

/** Writes the sections, each after the ones it refers to. */
const EMIT_ORDER: readonly ((ctx: ImportContext, draft: Draft) => void)[] = [
  emitVpcs,
  emitPeerings,
  emitSubnets,
  emitPrefixLists,
  emitInternetGateways,
  emitNatGateways,
  emitVpnGateways,
  emitTransitGateways,
  emitSecurityGroups,
  emitInstances,
  emitRouteTables,
  emitNetworkAcls,
];

/** Keys of a response that are about the call, not the account. */
const SILENT = new Set(['ResponseMetadata']);
const PAGINATION = new Set(['NextToken', 'PaginationToken', 'Marker', 'NextMarker']);

export type ImportResult =
  | { ok: true; document: VpcScenarioDocument; warnings: ImportWarning[]; files: number }
  | { ok: false; diagnostics: Diagnostic[]; warnings: ImportWarning[] };

/** Imports every describe-* `.json` under `dir` (see scenario-format-vpc.md, "Import"). */
export function importAwsFolder(dir: string, options: ImportOptions = {}): ImportResult {
  const ctx = new ImportContext(options);
  const diagnostics: Diagnostic[] = [];
  const { files, problems } = jsonFiles(dir);
  diagnostics.push(...problems);
  if (files.length === 0 && problems.length === 0) diagnostics.push({ file: dir, path: '', message: 'no .json files under this folder (expected describe-* output)' });
  for (const file of files) {
    const read = readResponse(file);
    if (!read.ok) {
      diagnostics.push(read.diagnostic);
      continue;
    }
    const at: FileContext = { ...read.at, ...layoutOf(dir, file) };
    if (!isObject(read.body)) {
      ctx.warnings.add(file, '', '(not an object)', 'not a describe-* response (its top level is not an object): ignored');
      continue;
    }
    diagnostics.push(...dispatchFile(read.body, at, ctx));
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics, warnings: ctx.warnings.list() };
  const draft = new Draft();
  for (const emit of EMIT_ORDER) emit(ctx, draft);
  const name = basename(resolve(dir));
  const description = `Imported by sgsim import aws from the describe-* JSON of ${name} (${files.length} file${files.length === 1 ? '' : 's'}).`;
  return { ok: true, document: draft.finish(name, description), warnings: ctx.warnings.list(), files: files.length };
}

/** Checks and collects one file's owned keys; warns of the rest. Returns the file's diagnostics. */
function dispatchFile(body: Readonly<Record<string, unknown>>, at: FileContext, ctx: ImportContext): Diagnostic[] {
  const keys = Object.keys(body).sort();
  const owned = keys.filter((k) => OWNER.has(k));
  const companions = new Set(owned.flatMap((k) => OWNER.get(k)?.companions ?? []));
  const diagnostics: Diagnostic[] = [];
  const valid: [string, unknown, ResourceModule][] = [];
  for (const key of keys) {
    const owner = OWNER.get(key);
    if (owner === undefined) {
      if (!companions.has(key)) unowned(key, body[key], at, ctx);
      continue;
    }
    const parsed = (owner.keys[key] as z.ZodType).safeParse(body[key]);
    if (parsed.success) valid.push([key, parsed.data, owner]);
    else for (const issue of parsed.error.issues.slice(0, 5)) diagnostics.push({ file: at.file, path: at.prefix + formatPath([key, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))]), message: issue.message });
  }
  if (diagnostics.length === 0) for (const [key, value, owner] of valid) owner.collect(key, value, body, at, ctx);
  return diagnostics;
}

function unowned(key: string, value: unknown, at: FileContext, ctx: ImportContext): void {
  if (SILENT.has(key)) return;
  if (PAGINATION.has(key)) {
    if (typeof value === 'string' && value !== '') ctx.warnings.add(at.file, at.prefix + key, key, 'the response is one page of several: the rest is missing (collect with the aws CLI, which follows pages)');
    return;
  }
  const empty = value === null || (Array.isArray(value) && value.length === 0) || (isObject(value) && Object.keys(value).length === 0) || value === '';
  if (empty) return;
  ctx.warnings.add(at.file, at.prefix + key, key, `${key} is not modelled by sgsim: ignored`);
}
