import { readFileSync } from 'fs';
import { join } from 'path';

/** Scripts shipped in lib/bootstrap/scripts and inlined into the synthesized provisioners. */
export const SCRIPT_DIR = join(__dirname, 'scripts');

export type ScriptName =
  | 'safe-apply.sh' | 'swarm-init.sh' | 'swarm-join.sh' | 'swarm-leave.sh' | 'macvlan-shim.sh' | 'ssh-lib.sh' | 'run-remote.sh' | 'node-gate.sh';

export function loadScript(name: ScriptName): string {
  return readFileSync(join(SCRIPT_DIR, name), 'utf8');
}
