import { DataResource, ITerraformDependable, RemoteExecProvisioner } from 'cdktf';
import { Construct } from 'constructs';
import { parsePrefix as parseCidr } from '../address/cidr';
import { loadScript } from './scripts';
import { BootstrapTarget, checkTarget, selfSshConnection, shq, tfLiteral, throwIfInvalid } from './target';

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
    const dir = t.uploadDir ?? '/tmp';
    const script = `${dir}/docknet-${t.name}-shim-${props.name}.sh`;
    const run = (args: string) =>
      tfLiteral(`cat > ${shq(script)} <<'DOCKNET_EOF'\n${loadScript('macvlan-shim.sh')}DOCKNET_EOF\nsh ${shq(script)} ${args}; rc=$?; rm -f ${shq(script)}; exit $rc`);

    // Destroy-time provisioners may only reference self, so the connection reads it from the state.
    const connection = selfSshConnection(t, { host: 'triggers_replace.ssh_host', user: 'triggers_replace.ssh_user', port: 'triggers_replace.ssh_port', key: 'triggers_replace.ssh_key' });
    const destroy = { type: 'remote-exec', when: 'destroy', inline: [run(`down ${shq(props.name)}`)] } as RemoteExecProvisioner;

    this.resource = new DataResource(this, 'Resource', {
      triggersReplace: {
        ssh_host: t.ssh.host,
        ssh_user: t.ssh.user,
        ssh_port: String(t.ssh.port ?? 22),
        ssh_key: t.ssh.privateKeyPath ?? '',
        name: props.name,
        parent: props.parent,
        address: props.address,
        routes: props.routes.join(','),
      },
      dependsOn: props.dependsOn,
      connection,
      provisioners: [
        { type: 'remote-exec', inline: [run(['up', props.name, props.parent, props.address, ...props.routes].map(shq).join(' '))] },
        destroy,
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
