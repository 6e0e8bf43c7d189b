import { createHash } from 'crypto';
import type { LocalExecProvisioner } from '../cdk';
import { loadScript, ScriptName } from './scripts';
import { BootstrapTarget, knownHostsLines, shq, sshEnv, tfLiteral } from './target';

/** Stands for the private run directory in the arguments of a remote step. */
export const RUN_DIR = '@RUN_DIR@';

export interface RemoteStep {
  /** What the step is, for messages ("daemon.json rollout"). */
  readonly step: string;
  /** The script run on the host (from lib/bootstrap/scripts). */
  readonly script: ScriptName;
  /** Its arguments; RUN_DIR and `${RUN_DIR}/name` stand for the private directory. */
  readonly args: string[];
  /** Files written into the private directory before the script runs. @default none */
  readonly files?: Record<string, string>;
  /** Environment of the script (values quoted here). @default none */
  readonly env?: Record<string, string | undefined>;
}

/**
 * The sh program sent over ssh's stdin for one step: it creates a private directory (mktemp -d,
 * mode 0700, owned by whoever runs it, root under sudo), writes the script and files there, runs
 * the script with stdin closed and removes the directory. No file at a predictable path, nothing
 * world-writable, nothing left behind.
 */
export function remoteProgram(s: RemoteStep): string {
  const heredoc = (file: string, text: string) => {
    const body = text.endsWith('\n') ? text : `${text}\n`;
    const eof = `DOCKNET_EOF_${createHash('sha256').update(body).digest('hex').slice(0, 12)}`;
    return `cat > "$run/${file}" <<'${eof}' || fail "cannot write $run/${file}"\n${body}${eof}\n`;
  };
  const arg = (a: string) => (a.startsWith(RUN_DIR) ? `"$run"${shq(a.slice(RUN_DIR.length))}` : shq(a));
  const env = Object.entries(s.env ?? {})
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}=${shq(v!)}`)
    .join(' ');
  return [
    'umask 077',
    `fail() { echo "docknet: ${s.step} on $(hostname): $*" >&2; exit 1; }`,
    'run=$(mktemp -d "${TMPDIR:-/tmp}/docknet.XXXXXXXX") || fail "cannot create a private directory"',
    heredoc(s.script, loadScript(s.script)) + Object.entries(s.files ?? {}).map(([n, t]) => heredoc(n, t)).join(''),
    `${env ? `${env} ` : ''}sh "$run/${s.script}" ${s.args.map(arg).join(' ')} </dev/null`,
    'rc=$?',
    'rm -rf "$run"',
    'exit $rc',
    '',
  ].join('\n');
}

/**
 * A local-exec provisioner that runs a remote step on the target over ssh (ssh-lib.sh +
 * run-remote.sh). Script and program travel in the environment: Terraform echoes a local-exec
 * command, not its environment, so apply logs stay short. `self` lets destroy-time steps read the
 * connection from the resource's own state.
 */
export function remoteExec(t: BootstrapTarget, step: RemoteStep, opts: { when?: 'destroy'; envFromSelf?: string } = {}): LocalExecProvisioner {
  const conn = connectionEnv(t);
  // Where the host is comes from the state for destroy-time steps (they may only read self, and
  // must reach the host the resource was created on); the program itself is a literal.
  const connection: Record<string, string> = opts.envFromSelf
    ? Object.fromEntries(Object.keys(conn).map((k) => [k, `\${self.${opts.envFromSelf}.${k}}`]))
    : conn;
  return {
    type: 'local-exec',
    ...(opts.when ? { when: opts.when } : {}),
    command: `sh -c "$DOCKNET_SCRIPT" docknet-${step.script.replace(/\.sh$/, '')}`,
    interpreter: ['/bin/sh', '-c'],
    environment: {
      ...connection,
      DOCKNET_STEP: tfLiteral(step.step),
      DOCKNET_PROGRAM: tfLiteral(remoteProgram(step)),
      ...(opts.when ? { DOCKNET_WHEN: opts.when } : {}),
      DOCKNET_SCRIPT: tfLiteral(loadScript('ssh-lib.sh') + loadScript('run-remote.sh')),
    },
  } as LocalExecProvisioner;
}

/** How to reach a target (nothing secret), for a resource's `input` so a destroy-time step can read it. */
export function connectionEnv(t: BootstrapTarget): Record<string, string> {
  return Object.fromEntries(
    Object.entries({ ...sshEnv('TARGET', t), DOCKNET_KNOWN_HOSTS: knownHostsLines(t).join('\n') }).map(([k, v]) => [k, tfLiteral(v)]),
  );
}
