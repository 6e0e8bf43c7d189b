// Each lab dockerd runs in its host's network namespace AND in a mount namespace of its own with a
// sysfs of its own. Entered with `nsenter --net` only, dockerd sees the ROOT namespace's /sys: Docker
// 28 writes /sys/class/net/<bridge>/... there (seen: default_pvid of br0, 18 tries). A sysfs mounted
// from inside the host's network namespace lists that namespace's links only; mounting it hides
// /sys/fs/cgroup ("Devices cgroup isn't mounted"), so the cgroup tree is bound back in first.
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/**
 * The launcher, in two steps. `setup MOUNTPOINT`, run once per host as `unshare --mount=<pin file>
 * --propagation slave` inside the host's network namespace, gives the new mount namespace its own
 * sysfs. The namespace stays (pinned like `ip netns` pins a network namespace) so that every later
 * start of dockerd runs in the same one, as on a real host: live-restore finds the mounts (container
 * network namespaces, rootfs) its previous run left. Slave: mounts made in the root namespace later
 * (a test's tmpfs over the config folder) still reach dockerd; its own never leave.
 * `start STARTPID CMD...`, run through `nsenter --net --mount=<pin file>`, writes its pid (dockerd
 * execs in its place, so an early failure is seen at once) and refuses to exec CMD unless it is in a
 * mount namespace other than pid 1's whose /sys/class/net lists exactly its network namespace's links.
 */
export function launcherScript(rootMountNs: string): string {
  if (!/^mnt:\[\d+\]$/.test(rootMountNs)) throw new Error(`docknet bug: "${rootMountNs}" is not a mount namespace (mnt:[inode])`);
  return `#!/bin/bash
# dockerd of a docknet lab host in a mount namespace of its own (written by lab/isolation.ts).
set -u
# The machine's own mount namespace, where the lab was brought up (not /proc/1/ns/mnt: a process in
# another network namespace may be unable to read pid 1's links here, and an empty answer must not pass).
root_mnt='${rootMountNs}'
step=$1
shift
refuse() { echo "lab: refusing to start dockerd: $*" >&2; exit 1; }
if [ "$step" = start ]; then echo $$ > "$1"; shift; fi
# Never mount over, or run with, the machine's own /sys: only in a mount namespace of its own.
own_mnt=$(readlink /proc/self/ns/mnt)
case $own_mnt in 'mnt:['*']') ;; *) refuse "cannot read its own mount namespace" ;; esac
[ "$own_mnt" != "$root_mnt" ] || refuse "not in a mount namespace of its own (run me under unshare --mount)"
if [ "$step" = setup ]; then
  mkdir -p "$1"
  mount -t sysfs sysfs "$1" && mount --rbind /sys/fs/cgroup "$1/fs/cgroup" && mount --move "$1" /sys || refuse "could not give it a sysfs of its own"
fi
# name=MAC of every link: names alone (lo, eth0) are the same in the root namespace and a host's.
links=$(ip -o link show | sed -e 's/^[0-9]*: \\([^:@]*\\)[^\\\\]*\\\\ *link\\/[a-z]* *\\([0-9a-f:]*\\).*/\\1=\\2/' | sort | tr '\\n' ' ')
seen=$(for d in /sys/class/net/*; do [ -L "$d" ] && echo "$(basename "$d")=$(cat "$d/address" 2>/dev/null)"; done | sort | tr '\\n' ' ')
[ "$links" = "$seen" ] || refuse "its /sys/class/net lists [$seen] but its network namespace has [$links]"
[ -d /sys/fs/cgroup/devices ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || refuse "no cgroup mount under its /sys"
[ "$step" = setup ] || exec "$@"
`;
}

/**
 * The host's own mount namespace, pinned on DIR/mnt (DIR is made a private mount of its own first:
 * a namespace can be pinned only there). Returns the pin file for `nsenter --mount=`. Idempotent.
 */
export function createMountNamespace(dir: string, netns: string, launcher: string): string {
  const pin = path.join(dir, 'mnt');
  if (mountedAt(pin)) return pin;
  fs.mkdirSync(dir, { recursive: true });
  if (!mountedAt(dir)) {
    execFileSync('mount', ['--bind', dir, dir]);
    execFileSync('mount', ['--make-private', dir]);
  }
  fs.writeFileSync(pin, '');
  execFileSync('nsenter', [`--net=/run/netns/${netns}`, '--', 'unshare', `--mount=${pin}`, '--propagation', 'slave',
    '/bin/bash', launcher, 'setup', path.join(dir, 'sysfs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 20_000 });
  return pin;
}

/** Unpins a namespace made by createMountNamespace (it goes once its last process has exited). */
export function releaseMountNamespace(dir: string): void {
  for (const p of [path.join(dir, 'mnt'), dir]) if (mountedAt(p)) execFileSync('umount', ['-l', p]);
}

function mountedAt(p: string): boolean {
  return fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => l.split(' ')[4] === p);
}

export function writeLauncher(dir: string): string {
  const file = path.join(dir, 'launch-dockerd.sh');
  fs.writeFileSync(file, launcherScript(fs.readlinkSync('/proc/self/ns/mnt')), { mode: 0o755 });
  return file;
}

/** name=MAC of each link in `ip -o link show` output. */
export function linksOf(ipLinkOutput: string): string[] {
  return ipLinkOutput.split('\n').map((l) => /^\d+: ([^:@\s]+)[^\\]*\\\s*link\/\S+ ?([0-9a-f:]*)/.exec(l)).filter((m): m is RegExpExecArray => !!m)
    .map((m) => `${m[1]}=${m[2]}`).sort();
}

const ipLinks = (args: string[]): string[] => linksOf(execFileSync('ip', [...args, '-o', 'link', 'show'], { encoding: 'utf8', timeout: 10_000 }));

/**
 * Checks a running dockerd from outside: its mount namespace is not ours, and the /sys it sees lists
 * exactly its host namespace's links (name and MAC), never the root namespace's. Throws otherwise.
 */
export function assertIsolated(pid: number, netns: string, host: string): void {
  const ours = fs.readlinkSync('/proc/self/ns/mnt');
  const its = fs.readlinkSync(`/proc/${pid}/ns/mnt`);
  if (its === ours) throw new Error(`refusing the lab: dockerd of ${host} (pid ${pid}) shares the root mount namespace (${its})`);
  const sysNet = `/proc/${pid}/root/sys/class/net`;
  const seen = fs.readdirSync(sysNet).filter((e) => fs.lstatSync(path.join(sysNet, e)).isSymbolicLink())
    .map((e) => `${e}=${fs.readFileSync(path.join(sysNet, e, 'address'), 'utf8').trim()}`).sort();
  const links = ipLinks(['-n', netns]);
  if (seen.join(' ') !== links.join(' ')) {
    throw new Error(`refusing the lab: dockerd of ${host} sees /sys/class/net [${seen.join(' ')}], its namespace ${netns} has [${links.join(' ')}] (root namespace: [${ipLinks([]).join(' ')}])`);
  }
}
