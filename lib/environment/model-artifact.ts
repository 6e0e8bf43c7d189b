/**
 * docknet-model.json at synth: the environment's model plus, for every Terraform resource of its
 * stacks, the docknet object it renders. Written by the stacks' own synthesizers, so any cdktf App
 * gets it (not only DocknetApp).
 */
import * as fs from 'fs';
import * as path from 'path';
import { type IConstruct, type IStackSynthesizer, type ISynthesisSession, TerraformProvider, TerraformResource, TerraformStack } from '../cdk';
import { DocknetModel, MODEL_FILE, MODEL_VERSION, MODEL_VERSION_SHARDED, ModelObjectKind, ResourceAddressModel, TopologyModel } from '../core/model';
import { DockerHost } from '../host/docker-host';
import { Network } from '../network/network';
import { Container } from '../container/container';
import { SwarmService } from '../service/service';
import { DaemonRollout, HostBootstrap, MacvlanShim, SwarmBootstrap } from '../bootstrap';

type Owner = Omit<ResourceAddressModel, 'stack' | 'type' | 'logicalId'>;

/** The docknet object a construct (a resource or provider) belongs to: its nearest docknet ancestor. */
function ownerOf(c: IConstruct, hostsByName: Map<string, DockerHost>, firstManager: DockerHost | undefined): Owner | undefined {
  const scopes = [...c.node.scopes].reverse();
  for (const s of scopes) {
    if (s instanceof Container) return { kind: 'container', name: s.containerName, host: s.host.hostName, path: s.node.path };
    if (s instanceof SwarmService) return { kind: 'service', name: s.serviceName, host: s.host.hostName, path: s.node.path };
    if (s instanceof Network) return { kind: 'network', name: s.networkName, host: s.host.hostName, path: s.node.path };
    if (s instanceof DockerHost) return { kind: 'host', name: s.hostName, host: s.hostName, path: s.node.path };
    if (s instanceof HostBootstrap) {
      const host = hostsByName.get(s.target.name);
      const hostPath = host?.node.path ?? s.node.path;
      const shim = scopes.find((x): x is MacvlanShim => x instanceof MacvlanShim);
      if (shim) {
        const name = host?.shims.find((x) => shim.node.id === `Shim-${x.name}`)?.name ?? shim.node.id;
        return { kind: 'shim', name, host: s.target.name, path: shim.node.path };
      }
      const kind: ModelObjectKind = scopes.some((x) => x instanceof DaemonRollout) ? 'daemon' : 'host';
      return { kind, name: s.target.name, host: s.target.name, path: hostPath };
    }
    if (s instanceof SwarmBootstrap) {
      // The members' record (which makes removed members leave) is kept through the first manager.
      if (c.node.id === 'Members' && firstManager) return { kind: 'swarm-members', name: 'members', host: firstManager.hostName, path: s.node.path };
      // The init runs on the first manager; each join is named after its member (SwarmBootstrap's ids).
      const member = c.node.id === 'Init' ? firstManager : [...hostsByName.values()].find((h) => c.node.id === `Join-${h.hostName}`);
      if (member) return { kind: 'swarm', name: member.hostName, host: member.hostName, path: member.node.path };
    }
  }
  return undefined;
}

/** Every resource and provider of a stack, with the object it renders (resources docknet does not own are left out). */
export function resourceAddresses(stack: TerraformStack, hosts: readonly DockerHost[]): ResourceAddressModel[] {
  const hostsByName = new Map(hosts.map((h) => [h.hostName, h]));
  const firstManager = hosts.find((h) => h.swarmRole === 'manager');
  const out: ResourceAddressModel[] = [];
  for (const c of stack.node.findAll()) {
    let type: string;
    let logicalId: string;
    if (c instanceof TerraformResource) {
      type = c.terraformResourceType;
      logicalId = c.friendlyUniqueId;
    } else if (c instanceof TerraformProvider) {
      type = 'provider';
      logicalId = `${c.terraformResourceType}.${c.alias ?? c.terraformResourceType}`;
    } else continue;
    if (TerraformStack.of(c) !== stack) continue;
    const owner = ownerOf(c, hostsByName, firstManager);
    if (owner) out.push({ stack: stack.node.id, type, logicalId, ...owner });
  }
  return out;
}

export interface ModelArtifactSource {
  readonly environment: string;
  readonly networkStack: TerraformStack;
  readonly hostsStack?: TerraformStack;
  /** The shard networkStack renders, in a sharded environment. */
  readonly shard?: string;
  /** Every shard of a sharded environment, with its stacks. */
  readonly shards?: readonly { readonly name: string; readonly network: TerraformStack; readonly hosts?: TerraformStack }[];
  /** Every host of the environment. */
  readonly hosts: readonly DockerHost[];
  readonly waveSize: number;
  readonly model: () => TopologyModel;
}

/** The model file of one of the environment's stacks. */
export function buildModelFile(src: ModelArtifactSource, stack: TerraformStack): DocknetModel {
  const pairs = src.shards ?? [{ network: src.networkStack, hosts: src.hostsStack }];
  const resources = pairs.flatMap((p) => [p.network, ...(p.hosts ? [p.hosts] : [])])
    .flatMap((s) => resourceAddresses(s, src.hosts))
    .sort((a, b) => (a.stack + '\0' + a.type + '\0' + a.logicalId < b.stack + '\0' + b.type + '\0' + b.logicalId ? -1 : 1));
  const ids = (p: { network: TerraformStack; hosts?: TerraformStack }) => ({ network: p.network.node.id, ...(p.hosts ? { hosts: p.hosts.node.id } : {}) });
  return {
    kind: 'docknet-model',
    // An unsharded environment's file is unchanged; a sharded one is version 2 (docs/model.md says why).
    version: src.shards ? MODEL_VERSION_SHARDED : MODEL_VERSION,
    stack: stack.node.id,
    ...(src.shard !== undefined ? { shard: src.shard } : {}),
    stacks: { ...ids({ network: src.networkStack, hosts: src.hostsStack }), ...(src.shards ? { shards: src.shards.map((p) => ({ name: p.name, ...ids(p) })) } : {}) },
    // Without daemon settings there is nothing to roll out: no waves (the model's own rollout, when any, wins).
    rollout: { waveSize: src.waveSize, waves: [] },
    ...src.model(),
    resources,
  };
}

/**
 * Makes a stack write docknet-model.json into its folder right after its cdk.tf.json (the stack's
 * synthesizer runs validation first, so no model is written for a topology that failed).
 */
export function writeModelAtSynth(stack: TerraformStack, src: () => ModelArtifactSource): void {
  const inner = stack.synthesizer;
  const wrapped: IStackSynthesizer = {
    synthesize(session: ISynthesisSession): void {
      inner.synthesize(session);
      const dir = path.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, MODEL_FILE), JSON.stringify(buildModelFile(src(), stack), null, 2) + '\n');
    },
  };
  stack.synthesizer = wrapped;
}
