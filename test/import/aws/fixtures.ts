/**
 * test helper: small describe-* folders written to a temporary directory, and a minimal
 * account (one VPC, two subnets, a group) for tests to add to.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** Writes `files` (relative path → JSON value, or raw text) under a new temporary folder. */
export function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sgsim-import-'));
  for (const [path, body] of Object.entries(files)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  }
  return dir;
}

export const VPC = { VpcId: 'vpc-1', OwnerId: '111122223333', CidrBlockAssociationSet: [{ CidrBlock: '10.0.0.0/16', CidrBlockState: { State: 'associated' } }], IsDefault: false, Tags: [{ Key: 'Name', Value: 'app' }] };
export const SUBNETS = [
  { SubnetId: 'subnet-a', VpcId: 'vpc-1', CidrBlock: '10.0.1.0/24', AvailabilityZone: 'eu-west-1a', MapPublicIpOnLaunch: true, State: 'available' },
  { SubnetId: 'subnet-b', VpcId: 'vpc-1', CidrBlock: '10.0.2.0/24', AvailabilityZone: 'eu-west-1b', MapPublicIpOnLaunch: false, State: 'available' },
];
export const WEB_GROUP = {
  GroupId: 'sg-web',
  GroupName: 'web',
  VpcId: 'vpc-1',
  IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0', Description: 'https' }], UserIdGroupPairs: [], PrefixListIds: [] }],
  IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
};

/** The minimal account: Vpcs, Subnets and SecurityGroups files. */
export function account(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { 'Vpcs.json': { Vpcs: [VPC] }, 'Subnets.json': { Subnets: SUBNETS }, 'SecurityGroups.json': { SecurityGroups: [WEB_GROUP] }, ...extra };
}

/** An instance of describe-instances, with one ENI. */
export function instance(id: string, state: string, eni: Record<string, unknown>, tags: { Key: string; Value: string }[] = []): Record<string, unknown> {
  return { InstanceId: id, State: { Name: state }, SubnetId: eni.SubnetId, VpcId: 'vpc-1', NetworkInterfaces: [eni], Tags: tags };
}

export function eni(id: string, subnet: string, ip: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    NetworkInterfaceId: id,
    SubnetId: subnet,
    Groups: [{ GroupId: 'sg-web' }],
    SourceDestCheck: true,
    Attachment: { DeviceIndex: 0 },
    PrivateIpAddresses: [{ PrivateIpAddress: ip, Primary: true }],
    ...extra,
  };
}
