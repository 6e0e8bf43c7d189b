/**
 * The one door to the rendering library. Every name docknet uses from cdktf, constructs and the
 * docker provider binding comes through here, so that moving to another renderer with the same API
 * (CDK Terrain, `cdktn`) is a change of this file and package.json. lib/core imports none of it;
 * a test (__tests__/core/no-cdktf.test.ts) keeps it so.
 */
export { Construct } from 'constructs';
export type { IConstruct } from 'constructs';

export {
  Annotations,
  App,
  DataResource,
  Lazy,
  TerraformBackend,
  TerraformOutput,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Token,
} from 'cdktf';
export type { AppConfig, IStackSynthesizer, ISynthesisSession, ITerraformDependable, LocalExecProvisioner } from 'cdktf';
export { ValidateBinaryVersion } from 'cdktf/lib/validations';

export { Container as ContainerResource } from '@cdktf/provider-docker/lib/container';
export type { ContainerConfig } from '@cdktf/provider-docker/lib/container';
export * as containerBinding from '@cdktf/provider-docker/lib/container';
export * as networkBinding from '@cdktf/provider-docker/lib/network';
export type { NetworkConfig } from '@cdktf/provider-docker/lib/network';
export { Image } from '@cdktf/provider-docker/lib/image';
export { Network as NetworkResource } from '@cdktf/provider-docker/lib/network';
export { DockerProvider } from '@cdktf/provider-docker/lib/provider';
export { Service as ServiceResource } from '@cdktf/provider-docker/lib/service';
