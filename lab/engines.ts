// The Docker engines the lab runs: 20.10 (Debian bookworm's docker.io), 26.1 (trixie) and 28.5 (sid),
// each from Debian's own packages. What each engine is made of lives here, once, as data; the
// fetching is lab/fetch-engine.sh (apt-get download with a source list of its own, dpkg-deb -x into a
// cache folder outside the repo, runc patched to a private glibc). The system's apt sources, its dpkg
// database and its /usr/sbin/dockerd are never changed.
import { execFile, execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { DocknetError } from '../lib/core/errors';
import { ENGINE_FACTS } from './engine-facts';

export type LabEngineVersion = '20.10' | '26.1' | '28.5';

export interface EngineInstall {
  readonly version: LabEngineVersion;
  /** Absolute path of this engine's dockerd. */
  readonly dockerd: string;
  /** Absolute path of the docker CLI pinned for this engine (its own release's CLI). */
  readonly docker: string;
  /** Folders to put first on PATH: dockerd finds containerd, the shim, runc, docker-proxy and docker-init there. */
  readonly pathPrefix: readonly string[];
  /** The exact Debian package versions the engine is made of (docker.io first). */
  readonly packages: readonly string[];
}

interface DebianPackage {
  readonly name: string;
  readonly version: string;
}

interface EngineSource {
  /** Debian suite whose packages make the engine. */
  readonly suite: 'bookworm' | 'trixie' | 'sid';
  readonly packages: readonly DebianPackage[];
  /**
   * Packages unpacked into a private library folder that runc is patched (patchelf) to load:
   * runc of trixie and sid needs GLIBC_2.38, bookworm has 2.36. Empty: runc runs as shipped.
   */
  readonly runcLibs: readonly DebianPackage[];
  /**
   * The machine's own install, used when its dockerd is this engine's release: bookworm's docker.io
   * (/usr/sbin/dockerd) with its 20.10 CLI, /usr/bin/docker. Not /usr/local/bin/docker, which on this
   * image is CLI 28.2.2 and comes first on root's PATH.
   */
  readonly system?: { readonly dockerd: string; readonly docker: string; readonly pathPrefix: readonly string[] };
}

const pkg = (name: string, version: string): DebianPackage => ({ name, version });

// Versions as the mirror serves them (apt-cache policy with the source list below, 2026-12-07).
// trixie: docker.io 26.1.5+dfsg1-9+deb13u1+b1 (binNMU of the security upload); tini-static only in sid
// (one static binary, the same for both). trixie's libc6 and libseccomp2 feed runc of both suites.
const TRIXIE_RUNC_LIBS = [pkg('libc6', '2.41-12+deb13u5'), pkg('libseccomp2', '2.6.0-2')];
const ENGINE_SOURCES: Readonly<Record<LabEngineVersion, EngineSource>> = {
  '20.10': {
    suite: 'bookworm',
    packages: [
      pkg('docker.io', '20.10.24+dfsg1-1+deb12u1+b6'),
      pkg('containerd', '1.6.20~ds1-1+deb12u3'),
      pkg('runc', '1.1.5+ds1-1+deb12u1'),
      pkg('tini', '0.19.0-1+b3'),
    ],
    runcLibs: [],
    system: { dockerd: '/usr/sbin/dockerd', docker: '/usr/bin/docker', pathPrefix: ['/usr/sbin', '/usr/bin'] },
  },
  '26.1': {
    suite: 'trixie',
    packages: [
      pkg('docker.io', '26.1.5+dfsg1-9+deb13u1+b1'),
      pkg('docker-cli', '26.1.5+dfsg1-9+deb13u1+b1'),
      pkg('containerd', '1.7.24~ds1-6+deb13u1'),
      pkg('runc', '1.1.15+ds1-2+b4'),
      pkg('tini-static', '0.19.0-6+b2'),
    ],
    runcLibs: TRIXIE_RUNC_LIBS,
  },
  '28.5': {
    suite: 'sid',
    packages: [
      pkg('docker.io', '28.5.2+dfsg4-5'),
      pkg('docker-cli', '28.5.2+dfsg4-5'),
      pkg('containerd', '2.1.9+ds1-5'),
      pkg('runc', '1.3.6+ds1-1'),
      pkg('tini-static', '0.19.0-6+b2'),
    ],
    runcLibs: TRIXIE_RUNC_LIBS,
  },
};

export const LAB_ENGINES: readonly LabEngineVersion[] = Object.keys(ENGINE_SOURCES) as LabEngineVersion[];

const ARCHIVE_KEY = '/usr/share/keyrings/debian-archive-keyring.gpg';
// One source list for every engine: the packages are named with exact versions, so apt takes each
// from whichever suite has it. The security suite is there because trixie's docker.io binNMU and
// its containerd update are served from it too.
const SOURCES = ['bookworm', 'trixie', 'sid']
  .map((s) => `deb [signed-by=${ARCHIVE_KEY}] http://deb.debian.org/debian ${s} main`)
  .concat([`deb [signed-by=${ARCHIVE_KEY}] http://deb.debian.org/debian-security trixie-security main`])
  .join('\n');

/** Where fetched engines are kept: outside the repo, so clean clones and CI runs reuse them. */
export function engineCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCKNET_ENGINE_CACHE ?? '/var/cache/docknet-engines';
}

function isLabEngine(v: string): v is LabEngineVersion {
  return (LAB_ENGINES as readonly string[]).includes(v);
}

function versionsOf(s: EngineSource): string[] {
  return s.packages.map((p) => `${p.name}=${p.version}`);
}

/** "20.10" from "Docker version 20.10.24+dfsg1, build 5d6db84". */
function releaseOf(versionLine: string): string | undefined {
  const m = /version (\d+)\.(\d+)\./.exec(versionLine);
  return m ? `${m[1]}.${m[2]}` : undefined;
}

let systemRelease: string | null | undefined;
/** The release of the machine's own /usr/sbin/dockerd ("20.10" on bookworm), or null when it has none. */
export function systemEngineRelease(): string | null {
  if (systemRelease === undefined) {
    try {
      systemRelease = releaseOf(execFileSync('/usr/sbin/dockerd', ['--version'], { encoding: 'utf8', timeout: 10_000 })) ?? null;
    } catch {
      systemRelease = null;
    }
  }
  return systemRelease;
}

/**
 * The engine a lab or an e2e suite runs: DOCKNET_ENGINE when set, else the machine's own dockerd's
 * release (20.10 on bookworm, 26.1 on trixie).
 */
export function labEngineFromEnv(env: NodeJS.ProcessEnv = process.env): LabEngineVersion {
  const given = env.DOCKNET_ENGINE;
  if (given !== undefined && given !== '') return parseLabEngine(given, 'DOCKNET_ENGINE');
  const sys = systemEngineRelease();
  if (sys !== null && isLabEngine(sys)) return sys;
  throw new DocknetError(
    'DOCKNET_ENGINE',
    `DOCKNET_ENGINE is not set and the machine's /usr/sbin/dockerd is ${sys === null ? 'missing' : `Docker ${sys}`}; ` +
      `expected one of the lab engines ${LAB_ENGINES.join(', ')}. Fix: set DOCKNET_ENGINE=${LAB_ENGINES[LAB_ENGINES.length - 1]} (fetched from Debian's packages) or install docker.io.`,
  );
}

/** A lab engine named by a user (`--engine`, DOCKNET_ENGINE), refused with the choices when unknown. */
export function parseLabEngine(given: string, where: string): LabEngineVersion {
  if (isLabEngine(given)) return given;
  throw new DocknetError(
    where,
    `${where} "${given}" is not a lab engine; expected one of ${LAB_ENGINES.join(', ')} (Docker major.minor). ` +
      `Fix: ${where}=${LAB_ENGINES[LAB_ENGINES.length - 1]}, or leave it unset for the machine's own dockerd.`,
  );
}

function cachedInstall(version: LabEngineVersion, dir: string, s: EngineSource): EngineInstall {
  const root = path.join(dir, 'root');
  return {
    version,
    dockerd: path.join(root, 'usr/sbin/dockerd'),
    docker: path.join(root, 'usr/bin/docker'),
    pathPrefix: [path.join(root, 'usr/sbin'), path.join(root, 'usr/bin')],
    packages: versionsOf(s),
  };
}

function manifestOf(version: LabEngineVersion, s: EngineSource): string {
  return JSON.stringify({ version, packages: versionsOf(s), runcLibs: s.runcLibs.map((p) => `${p.name}=${p.version}`) });
}

const FETCH_SCRIPT = path.join(__dirname, 'fetch-engine.sh');
const inFlight = new Map<LabEngineVersion, Promise<EngineInstall>>();

/**
 * The engine's binaries, fetched and unpacked on first use (about 70 MB from Debian's mirror, a few
 * seconds here) and cached in engineCacheDir(). The machine's own install is used when its dockerd is
 * the engine's release. Safe for concurrent callers (a lock file; a half-built cache is never used).
 */
export function ensureEngine(version: LabEngineVersion): Promise<EngineInstall> {
  if (!isLabEngine(version)) return Promise.reject(parseLabEngine(String(version), 'engine'));
  let p = inFlight.get(version);
  if (!p) {
    p = resolveEngine(version);
    inFlight.set(version, p);
    p.catch(() => inFlight.delete(version));
  }
  return p;
}

/**
 * Where the engine's binaries are (no fetching): the machine's own install when its dockerd is the
 * engine's release, else the cache folder ensureEngine() fills.
 */
export function engineInstall(version: LabEngineVersion): EngineInstall {
  const s = ENGINE_SOURCES[version];
  if (s.system && systemEngineRelease() === version) return { version, ...s.system, packages: versionsOf(s) };
  return cachedInstall(version, path.join(engineCacheDir(), version), s);
}

async function resolveEngine(version: LabEngineVersion): Promise<EngineInstall> {
  const s = ENGINE_SOURCES[version];
  const install = engineInstall(version);
  if (s.system && systemEngineRelease() === version) return install;
  const cache = engineCacheDir();
  const dir = path.join(cache, version);
  const manifest = manifestOf(version, s);
  if (readManifest(dir) !== manifest) {
    fs.mkdirSync(cache, { recursive: true });
    const args = [
      '-w', '1800', path.join(cache, '.lock'),
      'bash', FETCH_SCRIPT, cache, version, manifest, SOURCES, s.runcLibs.length ? '1' : '0',
      '--', ...versionsOf(s), '--', ...s.runcLibs.map((p) => `${p.name}=${p.version}`),
    ];
    await new Promise<void>((resolve, reject) => {
      execFile('flock', args, { timeout: 1_900_000, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
        if (err) reject(new Error(`fetching Docker ${version} (${versionsOf(s).join(' ')}) failed:\n${stderr || err.message}`));
        else resolve();
      });
    });
    if (readManifest(dir) !== manifest) throw new Error(`docknet bug: fetch-engine.sh finished but ${dir}/manifest does not describe Docker ${version}`);
  }
  return install;
}

function readManifest(dir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, 'manifest'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** PATH for a process of this engine: its folders first, then `base`, then root's sbin and bin folders. */
export function enginePath(install: EngineInstall, base: string = process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'): string {
  const rest = base.split(':').filter((d) => d && !install.pathPrefix.includes(d));
  const out = [...install.pathPrefix];
  for (const d of [...rest, '/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/bin', '/bin']) if (!out.includes(d)) out.push(d);
  return out.join(':');
}

/** The validate command of the host's own dockerd (by path), or undefined before 23.0 (no --validate). */
export function engineValidateCommand(install: EngineInstall): string | undefined {
  return ENGINE_FACTS[install.version].validatesConfig ? `${install.dockerd} --validate --config-file` : undefined;
}
