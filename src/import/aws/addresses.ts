/**
 * import/aws/addresses: describe-addresses (`Addresses`).
 *
 * Owns: reading and checking `PublicIp`, `NetworkInterfaceId`, `PrivateIpAddress`. Nothing more
 * is written: an associated Elastic IP is already on its ENI's `PrivateIpAddresses[].Association`
 * (as Batfish reads it), and an unassociated one reaches nobody, so it is dropped.
 */
import { z } from 'zod';
import { ipv4 } from './common.ts';
import type { ResourceModule } from './context.ts';

const address = z.looseObject({
  PublicIp: ipv4,
  NetworkInterfaceId: z.string().optional(),
  PrivateIpAddress: ipv4.optional(),
  AllocationId: z.string().optional(),
});

export const addressesModule: ResourceModule = {
  keys: { Addresses: z.array(address) },
  collect() {},
};
