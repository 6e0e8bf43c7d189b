/**
 * What the kreuzwerker/docker provider (3.6.x) and Terraform's built-ins do when an argument changes:
 * update in place or destroy-and-create. Source: the provider's resource schemas at v3.6.2 (see the
 * provider notes, shared/notes/docker-provider.md in the developers' workspace). Unknown arguments of docker_container count as
 * replacements: a false alarm costs a review, a missed one costs an outage.
 */

export enum ChangeEffect {
  /** Updated in place. */
  UPDATE = 'update',
  /** Destroyed and created again. */
  REPLACE = 'replace',
  /** Not in Terraform's plan at all (provisioners and connection run only at create time). */
  NONE = 'none',
}

/** docker_container arguments without ForceNew in 3.6.2; every other argument replaces the container. */
const CONTAINER_IN_PLACE = new Set([
  'restart', 'max_retry_count', 'memory', 'memory_swap', 'cpu_shares', 'cpu_set', 'cpu_period', 'cpu_quota',
  'must_run', 'start', 'rm', 'attach', 'logs', 'wait', 'wait_timeout', 'remove_volumes',
  'destroy_grace_seconds', 'container_read_refresh_timeout_milliseconds',
]);

/**
 * docker_service updates its tasks in place (rolling update) except for these top-level arguments,
 * and except task_spec.networks_advanced (name, aliases, driver_opts are ForceNew in 3.6.2).
 */
const SERVICE_FORCE_NEW = new Set(['name', 'auth']);

const IMAGE_FORCE_NEW = new Set(['name', 'build', 'pull_triggers', 'triggers', 'platform']);

/**
 * The effect of changing one argument of a resource type.
 * @param path the changed attribute below `argument`, when the effect depends on nested ForceNew fields
 */
export function effectOf(type: string, argument: string, path: readonly string[] = []): ChangeEffect {
  switch (type) {
    case 'docker_network':
      // No update function at all: any change replaces the network.
      return ChangeEffect.REPLACE;
    case 'docker_container':
      return CONTAINER_IN_PLACE.has(argument) ? ChangeEffect.UPDATE : ChangeEffect.REPLACE;
    case 'docker_service':
      if (argument === 'task_spec' && path.includes('networks_advanced')) return ChangeEffect.REPLACE;
      return SERVICE_FORCE_NEW.has(argument) ? ChangeEffect.REPLACE : ChangeEffect.UPDATE;
    case 'docker_image':
      return IMAGE_FORCE_NEW.has(argument) ? ChangeEffect.REPLACE : ChangeEffect.UPDATE;
    case 'terraform_data':
    case 'null_resource':
      if (argument === 'triggers_replace' || argument === 'triggers') return ChangeEffect.REPLACE;
      if (argument === 'provisioner' || argument === 'connection') return ChangeEffect.NONE;
      return ChangeEffect.UPDATE;
    default:
      return ChangeEffect.UPDATE;
  }
}

/** Human words for resource types. */
export function kindWord(type: string): string {
  const words: Record<string, string> = {
    docker_network: 'network',
    docker_container: 'container',
    docker_service: 'service',
    docker_image: 'image',
    docker_volume: 'volume',
    terraform_data: 'host bootstrap',
    null_resource: 'host bootstrap',
    provider: 'provider',
  };
  return words[type] ?? type;
}
