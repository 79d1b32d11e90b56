/**
 * import/aws/instances: describe-instances (`Reservations[].Instances[]`) → `instances`.
 *
 * Owns: `InstanceId`, `State.Name` (`running` loads, `stopped` loads as `state: stopped`,
 * others are warned and skipped), the `Name` tag, and which ENIs an instance has: the
 * NetworkInterfaces file's (authoritative) by `Attachment.InstanceId`, then its own embedded
 * `NetworkInterfaces[]` for ENIs that file lacks, then (no ENI at all) its own `SubnetId`,
 * `PrivateIpAddress` and `SecurityGroups`. One ENI is written in the instance's own fields;
 * several as `interfaces` in device order, named by ENI id. An ENI id seen on two instances
 * (CloudMapper's sanitised `eni-00000000`) is warned: the first holds the id, the other keeps
 * its addresses under `<instance>-eth<k>` (or its own fields).
 */
import { z } from 'zod';
import { ipv4, nameTag, tags } from './common.ts';
import { originOf, type ImportContext, type Origin, type ResourceModule } from './context.ts';
import type { Draft, InstanceDoc, InterfaceDoc, InterfaceFields } from './document.ts';
import { ENI, eni, interfaceFields, warnUnheldInterfaces, type Eni, type HeldAddresses } from './network-interfaces.ts';

const instance = z.looseObject({
  InstanceId: z.string(),
  State: z.looseObject({ Name: z.string() }),
  SubnetId: z.string().optional(),
  VpcId: z.string().optional(),
  PrivateIpAddress: ipv4.optional(),
  SecurityGroups: z.array(z.looseObject({ GroupId: z.string() })).optional(),
  SourceDestCheck: z.boolean().optional(),
  NetworkInterfaces: z.array(eni).optional(),
  Tags: tags,
});
type Instance = z.infer<typeof instance>;
const INSTANCE = 'instance';

export const instancesModule: ResourceModule = {
  keys: { Reservations: z.array(z.looseObject({ Instances: z.array(instance) })) },
  collect(key, value, _file, at, ctx) {
    (value as { Instances: Instance[] }[]).forEach((r, i) =>
      r.Instances.forEach((inst, k) => ctx.store<Instance>(INSTANCE).add(inst.InstanceId, inst, originOf(at, `${key}[${i}].Instances[${k}]`))),
    );
  },
};

interface Device {
  eni: Eni;
  origin: Origin;
}

/** Writes running and stopped instances of loaded subnets. Runs after groups, before route tables. */
export function emitInstances(ctx: ImportContext, draft: Draft): void {
  const eniFile = ctx.store<Eni>(ENI).entries();
  const byInstance = new Map<string, Device[]>();
  for (const [, { value: e, origin }] of eniFile) {
    const owner = e.Attachment?.InstanceId;
    if (owner === undefined) continue;
    byInstance.set(owner, [...(byInstance.get(owner) ?? []), { eni: e, origin }]);
  }
  const held = new Set<string>();
  const addresses: HeldAddresses = new Map();
  for (const nat of draft.natGateways.values()) {
    const vpc = draft.subnets.get(nat.subnet)?.vpc;
    if (vpc !== undefined && nat.privateIp !== undefined) addresses.set(vpc, new Set([...(addresses.get(vpc) ?? []), nat.privateIp]));
  }
  const claimed = new Map<string, string>(); // ENI id → the instance that holds the id
  for (const [id, { value: inst, origin }] of ctx.store<Instance>(INSTANCE).entries()) {
    const devices = [...(byInstance.get(id) ?? [])];
    for (const e of devices) held.add(e.eni.NetworkInterfaceId);
    (inst.NetworkInterfaces ?? []).forEach((e, k) => {
      if (!devices.some((d) => d.eni.NetworkInterfaceId === e.NetworkInterfaceId)) devices.push({ eni: e, origin: { ...origin, path: `${origin.path}.NetworkInterfaces[${k}]` } });
    });
    const state = inst.State.Name;
    if (state !== 'running' && state !== 'stopped') {
      ctx.warn(origin, `${state} instance`, `instance ${id} is ${state}: not loaded (only running and stopped instances are)`, '.State.Name');
      continue;
    }
    if (devices.length === 0 && inst.SubnetId !== undefined) {
      devices.push({ eni: { NetworkInterfaceId: `${id}-eth0`, SourceDestCheck: inst.SourceDestCheck, Attachment: { DeviceIndex: 0 } }, origin });
    }
    if (devices.length === 0) {
      ctx.warn(origin, 'instance without interface', `instance ${id} has no network interface and no subnet (EC2-Classic?): not loaded`);
      continue;
    }
    devices.sort((a, b) => (a.eni.Attachment?.DeviceIndex ?? 99) - (b.eni.Attachment?.DeviceIndex ?? 99) || (a.eni.NetworkInterfaceId < b.eni.NetworkInterfaceId ? -1 : 1));
    const defaults = { subnet: inst.SubnetId, privateIp: inst.PrivateIpAddress, groups: inst.SecurityGroups?.map((g) => g.GroupId) };
    const interfaces: { eniId: string; fields: InterfaceFields }[] = [];
    let lost = false;
    for (const [k, d] of devices.entries()) {
      const fields = interfaceFields(d.eni, k === 0 ? defaults : {}, k === 0, ctx, draft, d.origin, addresses);
      if (fields === null) {
        if (k === 0) {
          lost = true;
          break;
        }
        continue;
      }
      interfaces.push({ eniId: d.eni.NetworkInterfaceId, fields });
    }
    if (lost) {
      ctx.warn(origin, 'instance without its primary interface', `instance ${id}: its primary interface is not loaded, so neither is the instance`);
      continue;
    }
    const label = nameTag(inst.Tags);
    const doc: InstanceDoc = { ...(label !== undefined && { label }), ...(state === 'stopped' && { state: 'stopped' as const }) };
    const names = interfaces.map(({ eniId }, k) => {
      const holder = claimed.get(eniId);
      if (holder === undefined) {
        claimed.set(eniId, id);
        return eniId;
      }
      ctx.warn(origin, 'duplicate id', `${eniId} is also an interface of ${holder}: the id stays ${holder}'s, ${id} keeps its own addresses`);
      return `${id}-eth${k}`;
    });
    if (interfaces.length === 1) {
      Object.assign(doc, interfaces[0].fields);
      if (names[0] === interfaces[0].eniId) draft.interfaceNames.set(interfaces[0].eniId, id);
    } else {
      doc.interfaces = interfaces.map(({ eniId, fields }, k): InterfaceDoc => {
        if (names[k] === eniId) draft.interfaceNames.set(eniId, names[k]);
        return { name: names[k], ...fields };
      });
    }
    draft.instances.set(id, doc);
  }
  warnUnheldInterfaces(ctx, held);
}
