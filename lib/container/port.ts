import { DocknetError, describeGiven } from '../core/errors';
import { checkIp } from '../network/network';
import { PortModel } from '../core/model';

export interface PublishOptions {
  /** Host port. @default a random free port chosen by Docker */
  readonly hostPort?: number;
  /** Host address to bind. @default "0.0.0.0" */
  readonly hostIp?: string;
}

/** A published port: Port.tcp(80, { hostPort: 8080 }), Port.udp(53). */
export class Port {
  public static tcp(containerPort: number, options: PublishOptions = {}): Port {
    return new Port('tcp', containerPort, options);
  }

  public static udp(containerPort: number, options: PublishOptions = {}): Port {
    return new Port('udp', containerPort, options);
  }

  private constructor(public readonly protocol: 'tcp' | 'udp', public readonly containerPort: number, private readonly options: PublishOptions) {
    for (const [what, p] of [['container port', containerPort], ['host port', options.hostPort]] as const) {
      if (p !== undefined && (!Number.isInteger(p) || p < 1 || p > 65535)) {
        throw new DocknetError(`Port.${protocol}`, `${what} ${p} is not a port. Expected an integer from 1 to 65535.`);
      }
    }
    if (options.hostIp !== undefined) checkIp(`Port.${protocol}`, 'hostIp', options.hostIp);
  }

  public toModel(): PortModel {
    return { internal: this.containerPort, external: this.options.hostPort, protocol: this.protocol, hostIp: this.options.hostIp ?? '0.0.0.0' };
  }
}

/** A Port where one is expected (a plain object or a number would fail later, deep inside, as a TypeError). */
export function checkPort(scope: { readonly node: { readonly path: string } }, what: string, port: unknown): asserts port is Port {
  if (!(port instanceof Port) && typeof (port as Port | undefined)?.toModel !== 'function') {
    throw new DocknetError(scope, `${what} is ${describeGiven(port)}, but a Port was expected. Publish with Port.tcp(80, { hostPort: 8080 }) or Port.udp(53).`);
  }
}
