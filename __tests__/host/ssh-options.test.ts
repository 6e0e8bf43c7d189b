import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { DocknetError, DocknetStack, EnvironmentPlan, HostConnection, PlanStore } from '../../lib';
import { hostKeyOptions, knownHostsFileOptions, sshOptsProblems } from '../../lib/core/ssh/options';
import { providerSshOpts, sshCommand } from '../../lib/live/engine';

const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEbwUrTHt+FixjdWnPEIMGeVSUeY/EV9tinbx8jJ+tw8';

/** What ssh itself makes of a command line: `ssh -G` prints the effective configuration without connecting. */
function effective(args: string[], config = '/dev/null'): Record<string, string> {
  // -F /dev/null: the machine's own ~/.ssh/config must not colour the answer.
  const r = spawnSync('ssh', ['-G', '-F', config, ...args], { encoding: 'utf8' });
  expect(r.status).toBe(0);
  return parseG(r.stdout);
}

function parseG(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(' ');
    if (i > 0 && !(line.slice(0, i) in out)) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

function refusal(sshOpts: string[]): DocknetError {
  try {
    HostConnection.ssh({ host: '10.0.0.11', user: 'ops', hostKey: KEY, sshOpts });
  } catch (e) {
    expect(e).toBeInstanceOf(DocknetError);
    return e as DocknetError;
  }
  throw new Error(`sshOpts ${JSON.stringify(sshOpts)} were accepted`);
}

describe('no way around the host key', () => {
  test.each([
    [['-o', 'StrictHostKeyChecking=no']],
    [['-oStrictHostKeyChecking=no']],
    [['-o', 'stricthostkeychecking no']],
    [['-o', 'StrictHostKeyChecking = accept-new']],
    [['-o', '"StrictHostKeyChecking"=no']],
    [['-CoStrictHostKeyChecking=no']],
    [['-C', '-o', 'UserKnownHostsFile=/tmp/known']],
    [['-o', 'GLOBALKNOWNHOSTSFILE /tmp/known']],
    [['-o', 'KnownHostsCommand=/bin/echo h ssh-ed25519 AAAA']],
    [['-o', 'VerifyHostKeyDNS=yes']],
    [['-o', 'NoHostAuthenticationForLocalhost=yes']],
    [['-o', 'HostKeyAlias=other']],
    [['-F', '/tmp/ssh_config']],
    [['-F/tmp/ssh_config']],
    [['-qF', '/tmp/ssh_config']],
    [['-J', 'jump.example.net']],
    [['-o', 'ProxyJump=jump.example.net']],
    [['-o', 'ProxyCommand ssh -o StrictHostKeyChecking=no -W %h:%p jump']],
    [['-o', 'HostName=10.6.6.6']],
    [['-S', '/tmp/ctl']],
    [['-o', 'ControlPath=/tmp/ctl']],
    [['-o', 'Include=/tmp/ssh_config']],
    [['other-host']],
    [['--', 'other-host']],
    [['-o', 'ServerAliveInterval=15 StrictHostKeyChecking=no']],
  ])('sshOpts %j is refused (DN600) with the fix', (opts) => {
    const e = refusal(opts);
    expect(e.problems.map((p) => p.code)).toEqual(expect.arrayContaining(['DN600']));
    expect(e.problems.every((p) => p.code === 'DN600')).toBe(true);
    expect(e.message).toMatch(/refused: .*Declare the host's sshd key with hostKey/);
  });

  test('every problem of a list is reported, not only the first', () => {
    const e = refusal(['-o', 'StrictHostKeyChecking=no', '-F', '/x', '-J', 'j']);
    expect(e.problems).toHaveLength(3);
  });

  test('allowed options come after docknet\'s host-key options, and ssh -G shows the key checked strictly', () => {
    const c = HostConnection.ssh({ host: '10.0.0.11', user: 'ops', port: 2222, hostKey: KEY, connectTimeout: '10s', sshOpts: ['-i', '/home/ops/.ssh/deploy', '-o', 'ServerAliveInterval=15', '-4', '-C'] });
    const opts = (c.providerArgs('h') as { sshOpts: string[] }).sshOpts;
    expect(opts.slice(0, 12)).toEqual(hostKeyOptions('10.0.0.11', 2222, [KEY]));
    expect(opts.slice(-6)).toEqual(['-i', '/home/ops/.ssh/deploy', '-o', 'ServerAliveInterval=15', '-4', '-C']);
    // The docker provider's connhelper runs: ssh <ssh_opts> -l user -p port -- host docker system dial-stdio.
    const g = effective([...opts, '-l', 'ops', '-p', '2222', '--', '10.0.0.11']);
    expect(g.stricthostkeychecking).toBe('true');
    expect(g.userknownhostsfile).toBe('/dev/null');
    expect(g.globalknownhostsfile).toBe('/dev/null');
    expect(g.verifyhostkeydns).toBe('false');
    expect(g.nohostauthenticationforlocalhost).toBe('no');
    expect(g.knownhostscommand).toContain(`[10.0.0.11]:2222 ${KEY}`);
    expect(g.proxycommand ?? 'none').toBe('none');
    expect(g.connecttimeout).toBe('10');
  });

  test('why the order matters: ssh keeps the first value it reads (the old order let a user option win)', () => {
    const g = effective(['-o', 'StrictHostKeyChecking=no', ...hostKeyOptions('h', 22, [KEY]), 'h']);
    expect(g.stricthostkeychecking).toBe('false');
    expect(effective([...hostKeyOptions('h', 22, [KEY]), '-o', 'StrictHostKeyChecking=no', 'h']).stricthostkeychecking).toBe('true');
  });

  test('verify and swarm-replace refuse a synthesized provider whose ssh_opts get around the key', () => {
    const own = hostKeyOptions('10.0.0.11', 22, [KEY]);
    const cfg = (ssh_opts: unknown) => ({ host: 'ssh://ops@10.0.0.11', ssh_opts });
    expect(providerSshOpts('h1', cfg([...own, '-o', 'ConnectTimeout=10', '-i', '/k']))).toEqual([...own, '-o', 'ConnectTimeout=10', '-i', '/k']);
    // Right after docknet's block (no connectTimeout): only docknet's own options are skipped.
    expect(() => providerSshOpts('h1', cfg([...own, '-o', 'StrictHostKeyChecking=no']))).toThrow(/provider h1: sshOpts -o "StrictHostKeyChecking=no" is refused/);
    expect(() => providerSshOpts('h1', cfg([...own, '-o', 'KnownHostsCommand=/bin/true']))).toThrow(/sshOpts -o "KnownHostsCommand=\/bin\/true" is refused/);
    expect(() => providerSshOpts('h1', cfg(['-o', 'StrictHostKeyChecking=no', ...own]))).toThrow(/do not begin with docknet's host key options/);
    expect(() => providerSshOpts('h1', cfg(['-o', 'UserKnownHostsFile=/tmp/k']))).toThrow(/do not begin with docknet's/);
    // An ssh:// provider without the block (no hostKey, or an older docknet) is refused too.
    expect(() => providerSshOpts('h1', cfg(undefined))).toThrow(/do not begin with docknet's.*hostKey declared/);
    // docknet's block with its KnownHostsCommand swapped for another command is not docknet's.
    const swapped = own.map((o) => (o.startsWith('KnownHostsCommand=') ? 'KnownHostsCommand=/bin/sh -c true' : o));
    expect(() => providerSshOpts('h1', cfg(swapped))).toThrow(/do not begin with docknet's/);
    expect(() => providerSshOpts('h1', cfg([...own, 5]))).toThrow(/ssh_opts is not a list of strings/);
    // Not ssh: nothing to check (a TLS or unix provider has no ssh_opts).
    expect(providerSshOpts('h1', { host: 'tcp://10.0.0.11:2376' })).toEqual([]);
  });

  test('the allow-list reads getopt clusters and values', () => {
    expect(sshOptsProblems(['-4Cv', '-i', '/k', '-o', 'ConnectTimeout=5', '-oServerAliveCountMax=3'])).toEqual([]);
    expect(sshOptsProblems(['-i'])).toEqual([expect.stringMatching(/-i is refused: it has no value/)]);
    expect(sshOptsProblems([5 as unknown as string])).toEqual([expect.stringMatching(/sshOpts\[0\] is number/)]);
  });
});

describe('every ssh host needs its hostKey (DN520)', () => {
  test('a host with only containers, no daemon, swarm role or shim, is refused without one', () => {
    const stack = new DocknetStack(Testing.app(), 'test-network', { environment: 'test', plan: new EnvironmentPlan('test', PlanStore.inMemory()) });
    let caught: unknown;
    try {
      stack.addHost('h1', { connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.11' }) });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DocknetError);
    expect((caught as DocknetError).problems[0]).toMatchObject({ code: 'DN520', constructs: ['test-network/h1'] });
    expect((caught as DocknetError).message).toMatch(/no host key is declared for 10\.9\.0\.11.*ssh-keyscan -t ed25519 10\.9\.0\.11.*hostKey/);
  });

  test('fromUrl takes the host key', () => {
    expect((HostConnection.fromUrl('ssh://ops@10.0.0.11', { hostKey: KEY }) as unknown as { hostKeys: string[] }).hostKeys).toEqual([KEY]);
  });
});

describe('a hostile ssh config cannot weaken any hop: the provider, verify and the hosts stack scripts', () => {
  // What an operator's ~/.ssh/config (or /etc/ssh/ssh_config) could say for every host. ssh reads the
  // command line first and keeps the first value, so docknet's options must pin every one of these.
  const HOSTILE = [
    'Host *', '  StrictHostKeyChecking no', '  UserKnownHostsFile /tmp/dn-hostile-known', '  GlobalKnownHostsFile /tmp/dn-hostile-known',
    '  KnownHostsCommand /bin/echo %H ssh-ed25519 AAAA', '  VerifyHostKeyDNS yes', '  NoHostAuthenticationForLocalhost yes', '',
  ].join('\n');
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dn-ssh-hostile-'));
    fs.writeFileSync(path.join(dir, 'config'), HOSTILE);
    const realSsh = spawnSync('sh', ['-c', 'command -v ssh'], { encoding: 'utf8' }).stdout.trim();
    // A stand-in `ssh` on PATH: the real ssh with the hostile config, printing what it would do (-G).
    fs.writeFileSync(path.join(dir, 'ssh'), `#!/bin/sh\nexec ${realSsh} -G -F ${dir}/config "$@"\n`, { mode: 0o755 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const strict = (g: Record<string, string>) => {
    expect(g.stricthostkeychecking).toBe('true');
    expect(g.verifyhostkeydns).toBe('false');
    expect(g.nohostauthenticationforlocalhost).toBe('no');
    expect(g.globalknownhostsfile).toBe('/dev/null');
  };

  test('the stand-in really is hostile: without docknet\'s options the check is off', () => {
    const g = effective(['localhost'], path.join(dir, 'config'));
    expect(g.stricthostkeychecking).toBe('false');
    expect(g.nohostauthenticationforlocalhost).toBe('yes');
  });

  test('the docker provider\'s hop', () => {
    const opts = (HostConnection.ssh({ host: 'localhost', user: 'ops', hostKey: KEY, sshOpts: ['-i', '/k'] }).providerArgs('h') as { sshOpts: string[] }).sshOpts;
    const g = effective([...opts, '-l', 'ops', '-p', '22', '--', 'localhost'], path.join(dir, 'config'));
    strict(g);
    expect(g.userknownhostsfile).toBe('/dev/null');
    expect(g.knownhostscommand).toBe(`/usr/bin/printf %%s\\n 'localhost ${KEY}'`);
  });

  test('verify\'s hop (the provider\'s ssh_opts, read back)', async () => {
    const opts = providerSshOpts('h', { host: 'ssh://ops@localhost', ssh_opts: hostKeyOptions('localhost', 22, [KEY]) });
    const r = await sshCommand(new URL('ssh://ops@localhost'), { sshOpts: opts, sshCommand: path.join(dir, 'ssh') }, 'true', 10_000);
    expect(r.code).toBe(0);
    const g = parseG(r.stdout);
    strict(g);
    expect(g.userknownhostsfile).toBe('/dev/null');
    expect(g.knownhostscommand).toBe(`/usr/bin/printf %%s\\n 'localhost ${KEY}'`);
  });

  test('docknet import\'s hop with --known-hosts: those files only', () => {
    const g = effective([...knownHostsFileOptions(['/x/a', '/x/b']), '-l', 'ops', '--', 'localhost'], path.join(dir, 'config'));
    strict(g);
    expect(g.userknownhostsfile).toBe('/x/a /x/b');
    expect(g.knownhostscommand).toBeUndefined();
  });

  test('the hosts stack scripts\' hop (ssh-lib.sh dn_ssh): the declared keys only, no KnownHostsCommand', () => {
    const lib = path.join(__dirname, '../../lib/bootstrap/scripts/ssh-lib.sh');
    const r = spawnSync('/bin/sh', ['-c', `. '${lib}'; dn_ssh TARGET true`], {
      encoding: 'utf8',
      env: { PATH: `${dir}:${process.env.PATH}`, TMPDIR: dir, DOCKNET_KNOWN_HOSTS: `localhost ${KEY}`, DOCKNET_TARGET_DEST: 'ops@localhost', DOCKNET_TARGET_PORT: '22', DOCKNET_TARGET_TIMEOUT: '5' },
    });
    expect(r.status).toBe(0);
    const g = parseG(r.stdout);
    strict(g);
    expect(g.userknownhostsfile).toMatch(new RegExp(`^${dir}/docknet-known-hosts\\.`));
    expect(g.knownhostscommand).toBeUndefined();
  });
});
