import { DocknetError, describeGiven } from '../core/errors';
import type { IContainer } from '../interfaces';

/**
 * A container's network mode, as a value. The kind is a literal type so that ContainerProps can
 * refuse ports and attachments on host/none/container modes at compile time.
 */
export abstract class NetworkMode {
  /** docker0, or the user networks the container is attached to (the provider's "bridge" mode). */
  public static bridge(): BridgeMode {
    return new BridgeMode();
  }

  /** The host's own network namespace: no isolation, no port publishing. */
  public static host(): SharedMode {
    return new SharedMode('host');
  }

  /** Only a loopback interface; networking is set up by hand, if at all. */
  public static none(): SharedMode {
    return new SharedMode('none');
  }

  /** Share another container's network namespace (same IP, same ports, same interfaces). */
  public static container(other: IContainer): SharedMode {
    const o = other as unknown as { node?: { path?: unknown }; containerName?: unknown } | null;
    if (!o || typeof o !== 'object' || typeof o.node?.path !== 'string' || typeof o.containerName !== 'string') {
      throw new DocknetError('NetworkMode.container', `the other container is ${describeGiven(other)}. Expected a container of this topology, as host.addContainer(...) returns it.`);
    }
    return new SharedMode('container', other);
  }

  public abstract readonly kind: 'bridge' | 'host' | 'none' | 'container';
}

export class BridgeMode extends NetworkMode {
  public readonly kind = 'bridge' as const;
}

export class SharedMode extends NetworkMode {
  constructor(public readonly kind: 'host' | 'none' | 'container', public readonly other?: IContainer) {
    super();
  }
}
