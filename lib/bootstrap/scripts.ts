import { readFileSync } from 'fs';
import { join } from 'path';

/** Scripts shipped in lib/bootstrap/scripts and inlined into the synthesized provisioners. */
export const SCRIPT_DIR = join(__dirname, 'scripts');

export function loadScript(name: 'safe-apply.sh' | 'swarm-init.sh' | 'swarm-join.sh' | 'swarm-leave.sh' | 'macvlan-shim.sh'): string {
  return readFileSync(join(SCRIPT_DIR, name), 'utf8');
}
