import { Construct, DataResource, type ITerraformDependable } from '../cdk';
import { parsePrefix as parseCidr } from '../core/address/cidr';
import { connectionEnv, remoteExec } from './remote';
import { BootstrapTarget, checkTarget, throwIfInvalid } from './target';

export interface MacvlanShimOptions {
  /** Name of the host-side interface (max 15 characters), e.g. "dn-shim0". */
  readonly name: string;
  /** The macvlan networks' parent interface, e.g. "eth0" or "eth0.50". */
  readonly parent: string;
  /** Spare LAN address for the shim with prefix, e.g. "198.18.0.200/32"; outside every ip_range. */
  readonly address: string;
  /** The macvlan networks' container ranges (ip_range) the host must reach through the shim. */
  readonly routes: string[];
}

export interface MacvlanShimProps extends MacvlanShimOptions {
  readonly target: BootstrapTarget;
  /** @default - none */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A host-side macvlan "shim" so a host can reach its own macvlan containers: created idempotently
 * at apply, removed by a destroy-time provisioner. Not persistent across reboots (iproute2 only).
 */
export class MacvlanShim extends Construct {
  public readonly resource: DataResource;

  constructor(scope: Construct, id: string, props: MacvlanShimProps) {
    super(scope, id);
    throwIfInvalid(this.node.path, [...checkTarget(props.target), ...checkShim(props)]);
    const t = props.target;
    const step = (args: string[]) => ({ step: `macvlan shim ${props.name}`, script: 'macvlan-shim.sh' as const, args });
    const down = step(['down', props.name]);
    this.resource = new DataResource(this, 'Resource', {
      triggersReplace: {
        host: t.ssh.host,
        name: props.name,
        parent: props.parent,
        address: props.address,
        routes: props.routes.join(','),
      },
      // Destroy-time provisioners may only reference self: the way back to the host is in the state.
      input: { down: connectionEnv(t) },
      dependsOn: props.dependsOn,
      provisioners: [
        remoteExec(t, step(['up', props.name, props.parent, props.address, ...props.routes])),
        remoteExec(t, down, { when: 'destroy', envFromSelf: 'input.down' }),
      ],
    });
  }
}

function checkShim(p: MacvlanShimOptions): string[] {
  const out: string[] = [];
  const ifname = /^[A-Za-z0-9_.-]{1,15}$/;
  if (typeof p.name !== 'string' || !ifname.test(p.name)) {
    out.push(`shim name is ${JSON.stringify(p.name)}, expected a Linux interface name of 1-15 letters, digits, "_", "." or "-".`);
  }
  if (typeof p.parent !== 'string' || !ifname.test(p.parent)) {
    out.push(`shim parent is ${JSON.stringify(p.parent)}, expected the macvlan parent interface such as "eth0" or "eth0.50".`);
  }
  const addr = parseCidr(p.address);
  if (typeof addr === 'string') out.push(`shim address is ${JSON.stringify(p.address)}, expected a spare LAN address with prefix such as "198.18.0.200/32" (${addr}).`);
  if (!Array.isArray(p.routes) || p.routes.length === 0) {
    out.push(`shim routes is ${JSON.stringify(p.routes)}, expected the macvlan container ranges, e.g. ["198.18.0.128/27"].`);
  } else {
    for (const r of p.routes) {
      const c = parseCidr(r);
      if (typeof c === 'string') out.push(`shim route ${JSON.stringify(r)} is not a CIDR (${c}), expected a container range such as "198.18.0.128/27".`);
      else if (typeof addr !== 'string' && c.family === addr.family && c.prefix <= addr.prefix && addr.address.match(c.address as never, c.prefix)) {
        out.push(`shim address ${p.address} lies inside route ${r}, expected an address outside the container ranges (Docker may hand it to a container).`);
      }
    }
  }
  return out;
}
