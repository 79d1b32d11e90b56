/**
 * import/aws/prefix-lists: describe-prefix-lists (`PrefixLists`) → `prefixLists`.
 *
 * Owns: `PrefixListId`, `PrefixListName` (the label) and `Cidrs[]`. describe-managed-prefix-lists also answers `PrefixLists`
 * but without `Cidrs` (they come from get-managed-prefix-list-entries, whose `Entries` name no
 * list): such a list is warned and not loaded, and rules and routes naming it are dropped.
 */
import { z } from 'zod';
import { cidr, hostCidr } from './common.ts';
import { originOf, type ImportContext, type ResourceModule } from './context.ts';
import type { Draft } from './document.ts';

const prefixList = z.looseObject({ PrefixListId: z.string(), PrefixListName: z.string().optional(), Cidrs: z.array(cidr).optional() });
type PrefixList = z.infer<typeof prefixList>;
const PREFIX_LIST = 'prefix list';

export const prefixListsModule: ResourceModule = {
  keys: { PrefixLists: z.array(prefixList) },
  collect(key, value, _file, at, ctx) {
    (value as PrefixList[]).forEach((p, i) => ctx.store<PrefixList>(PREFIX_LIST).add(p.PrefixListId, p, originOf(at, `${key}[${i}]`)));
  },
};

export function emitPrefixLists(ctx: ImportContext, draft: Draft): void {
  for (const [id, { value: p, origin }] of ctx.store<PrefixList>(PREFIX_LIST).entries()) {
    if (p.Cidrs === undefined) {
      ctx.warn(origin, 'prefix list without CIDRs', `prefix list ${id} lists no Cidrs (describe-managed-prefix-lists does not): not loaded`);
      continue;
    }
    const cidrs = [...new Set(p.Cidrs.map((c) => hostCidr(c) as string))];
    draft.prefixLists.set(id, p.PrefixListName !== undefined && p.PrefixListName !== '' ? { label: p.PrefixListName, cidrs } : cidrs);
  }
}
