/** A host as the rollout order sees it. */
export interface RolloutHost {
  readonly name: string;
  readonly manager: boolean;
}

/**
 * Rolling daemon changes: hosts in declaration order, at most `waveSize` per wave and never two
 * swarm managers in one wave (raft keeps quorum while one manager restarts). Pure, so the plan
 * diff and the hosts stack show the same order.
 */
export function rolloutWaves(hosts: RolloutHost[], waveSize: number): string[][] {
  const waves: string[][] = [];
  let current: RolloutHost[] = [];
  for (const h of hosts) {
    if (current.length >= waveSize || (h.manager && current.some((c) => c.manager))) {
      waves.push(current.map((c) => c.name));
      current = [];
    }
    current.push(h);
  }
  if (current.length > 0) waves.push(current.map((c) => c.name));
  return waves;
}

/** Default wave size: one host at a time. */
export const DEFAULT_ROLLOUT_WAVE_SIZE = 1;
