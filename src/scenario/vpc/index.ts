/**
 * scenario/vpc: the `platform: vpc` scenario format (scenario-format-vpc.md): its validated
 * spec and the validator the classic loader dispatches `platform: vpc` documents to.
 *
 * Owns: this directory's public surface. Does not own: reading files or parsing text
 * (scenario/load), the VPC model (model/vpc) or running anything.
 */
export { validateVpcScenario, type VpcValidationResult } from './validate.ts';
export { DEFAULT_VPC_SETTINGS } from './settings.ts';
export { VPC_CODES } from './vocabulary.ts';
export * from './spec.ts';
