import { readFileSync } from 'fs';
import { join } from 'path';

/** Scripts in lib/bootstrap/scripts, inlined into the synthesized provisioners. tools/compile.js copies
 * them next to the built JS (dist/lib/bootstrap/scripts), so this path holds under ts-node and in the package. */
export const SCRIPT_DIR = join(__dirname, 'scripts');

export type ScriptName =
  | 'safe-apply.sh' | 'swarm-init.sh' | 'swarm-join.sh' | 'swarm-leave.sh' | 'macvlan-shim.sh' | 'ssh-lib.sh' | 'run-remote.sh' | 'node-gate.sh' | 'swarm-prune.sh';

export function loadScript(name: ScriptName): string {
  return readFileSync(join(SCRIPT_DIR, name), 'utf8');
}
