import { createHash } from 'crypto';
import { TerraformStack, Testing } from 'cdktf';
import { BootstrapTarget, DaemonRollout, HostBootstrap, MacvlanShim, SwarmBootstrap } from '../../lib/bootstrap';
import { DaemonSettings } from '../../lib/daemon';

const KEY = (i: number) => `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${'A'.repeat(40)}${i}`;
const target = (i: number, extra: Partial<BootstrapTarget> = {}): BootstrapTarget => ({
  name: `h${i}`,
  ssh: { host: `198.18.0.${i}`, user: 'root', privateKeyPath: '/lab/key', timeout: '20s', hostKeys: [KEY(i)] },
  ...extra,
});
/** The local-exec provisioner of a resource (n-th), and its environment. */
const le = (r: any, n = 0) => r.provisioner[n]['local-exec'];

function synth(build: (s: TerraformStack) => void): any {
  const stack = new TerraformStack(Testing.app(), 'lab-hosts');
  build(stack);
  return JSON.parse(Testing.synth(stack, true));
}
const data = (out: any) => out.resource.terraform_data as Record<string, any>;
const one = (out: any, prefix: string) => {
  const keys = Object.keys(data(out)).filter((k) => k.startsWith(prefix));
  expect(keys).toHaveLength(1);
  return data(out)[keys[0]];
};

describe('HostBootstrap + DaemonRollout', () => {
  const settings = { bip: '10.200.0.1/24', mtu: 1400, dns: ['198.18.0.254'], extra: { 'log-driver': 'json-file' } };

  test('one terraform_data per host, replaced when the sha256 of the rendered file changes; run over ssh with the host key checked', () => {
    let rendered = '';
    const out = synth((s) => {
      const h = new HostBootstrap(s, 'h1', { target: target(1), daemon: settings });
      rendered = h.daemon!.render();
    });
    const r = one(out, 'h1_DaemonRollout');
    const sha = createHash('sha256').update(rendered).digest('hex');
    expect(r.triggers_replace).toEqual({ host: '198.18.0.1', path: '/etc/docker/daemon.json', sha256: sha });
    expect(r.connection).toBeUndefined(); // no remote-exec: nothing at a predictable remote path
    const exec = le(r);
    expect(exec.command).toBe('sh -c "$DOCKNET_SCRIPT" docknet-safe-apply');
    expect(exec.environment).toMatchObject({
      DOCKNET_TARGET_DEST: 'root@198.18.0.1', DOCKNET_TARGET_PORT: '22', DOCKNET_TARGET_KEY: '/lab/key',
      DOCKNET_TARGET_TIMEOUT: '20', DOCKNET_TARGET_BECOME: 'none', DOCKNET_KNOWN_HOSTS: `198.18.0.1 ${KEY(1)}`,
    });
    expect(exec.environment.DOCKNET_SCRIPT).toContain('StrictHostKeyChecking=yes');
    expect(exec.environment.DOCKNET_SCRIPT).not.toMatch(/StrictHostKeyChecking=no|UserKnownHostsFile=\/dev\/null/);
    const program: string = exec.environment.DOCKNET_PROGRAM;
    expect(program).toMatch(/^umask 077\n/);
    expect(program).toContain('run=$(mktemp -d "$${TMPDIR:-/tmp}/docknet.XXXXXXXX")');
    expect(program).toContain(`cat > "$run/daemon.json" <<'DOCKNET_EOF_`);
    expect(program).toContain(rendered);
    expect(program).toContain(`DOCKNET_RESTART='systemctl restart docker' DOCKNET_DOCKER='docker' sh "$run/safe-apply.sh" "$run"'' "$run"'/daemon.json' '/etc/docker/daemon.json' </dev/null`);
    expect(program).toMatch(/rm -rf "\$run"\nexit \$rc\n$/);
  });

  test('the inlined script escapes Terraform template syntax', () => {
    const r = one(synth((s) => new HostBootstrap(s, 'h1', { target: target(1), daemon: settings })), 'h1_DaemonRollout');
    for (const v of Object.values(le(r).environment) as string[]) expect(v.replace(/\$\$\{/g, '').replace(/%%\{/g, '')).not.toMatch(/\$\{|%\{/);
    expect(le(r).environment.DOCKNET_PROGRAM).toContain('run=$${1:?$usage}');
  });

  test('target overrides reach the remote command; a non-root user gets sudo -n; a port goes into known_hosts', () => {
    const t = target(2, {
      ssh: { host: '198.18.0.2', user: 'ops', port: 2222, hostKeys: [KEY(2)] },
      daemonConfigPath: '/lab/h2/daemon.json',
      restartCommand: '/lab/h2/restart-dockerd.sh',
      dockerCommand: 'docker -H unix:///lab/h2.sock',
      validateCommand: 'none',
      logCommand: "tail -n 20 /lab/h2/dockerd.log",
      waitSeconds: 20,
      pidFile: '/lab/h2/dockerd.pid',
      dropUndeclaredKeys: ['log-driver', 'log-opts'],
    });
    const r = one(synth((s) => new HostBootstrap(s, 'h2', { target: t, daemon: { mtu: 1400 } })), 'h2_DaemonRollout');
    const cmd: string = le(r).environment.DOCKNET_PROGRAM;
    expect(cmd).toContain("DOCKNET_RESTART='/lab/h2/restart-dockerd.sh'");
    expect(cmd).toContain("DOCKNET_DOCKER='docker -H unix:///lab/h2.sock'");
    expect(cmd).toContain("DOCKNET_VALIDATE='none'");
    expect(cmd).toContain("DOCKNET_LOGS='tail -n 20 /lab/h2/dockerd.log'");
    expect(cmd).toContain("DOCKNET_WAIT_SECONDS='20'");
    expect(cmd).toContain("DOCKNET_PIDFILE='/lab/h2/dockerd.pid'");
    expect(cmd).toContain("DOCKNET_DROP_KEYS='log-driver log-opts'");
    expect(cmd).toContain("'/lab/h2/daemon.json'");
    expect(le(r).environment).toMatchObject({ DOCKNET_TARGET_BECOME: 'sudo', DOCKNET_TARGET_DEST: 'ops@198.18.0.2', DOCKNET_KNOWN_HOSTS: `[198.18.0.2]:2222 ${KEY(2)}` });
    expect(le(r).environment.DOCKNET_SCRIPT).toContain('dn_cmd="sudo -n $dn_cmd"');
    expect(r.triggers_replace.path).toBe('/lab/h2/daemon.json');
  });

  test('a different daemon.json gives a different trigger (the change shows in the plan)', () => {
    const a = one(synth((s) => new HostBootstrap(s, 'h1', { target: target(1), daemon: { mtu: 1400 } })), 'h1_DaemonRollout');
    const b = one(synth((s) => new HostBootstrap(s, 'h1', { target: target(1), daemon: { mtu: 1450 } })), 'h1_DaemonRollout');
    expect(a.triggers_replace.sha256).not.toBe(b.triggers_replace.sha256);
  });

  test('accepts an existing DaemonSettings', () => {
    const out = synth((s) => {
      const d = new DaemonSettings(s, 'SharedDaemon', { mtu: 1400 });
      new HostBootstrap(s, 'h1', { target: target(1), daemon: d });
    });
    expect(le(one(out, 'h1_DaemonRollout')).environment.DOCKNET_PROGRAM).toContain('\n{\n  "mtu": 1400\n}\nDOCKNET_EOF_');
  });

  test('the settings gate\'s read-back list travels with the file; text that is not a JSON object has none', () => {
    const out = synth((s) => {
      new HostBootstrap(s, 'h1', { target: target(1), daemon: { mtu: 1400, dns: ['10.0.0.53'] } });
      new DaemonRollout(s, 'Raw', { target: target(2), content: 'not json\n' });
    });
    const program: string = le(one(out, 'h1_DaemonRollout')).environment.DOCKNET_PROGRAM;
    expect(program).toContain('cat > "$run/daemon.readback" <<');
    // Terraform-escaped like the rest of the program (no ${ or %{ in the templates).
    expect(program).toContain('\nmtu\tbridge\tequal\t1500\t{{index .Options "com.docker.network.driver.mtu"}}\t1400\n');
    expect(program).not.toMatch(/\ndns\t/);
    expect(le(one(out, 'Raw')).environment.DOCKNET_PROGRAM).not.toContain('cat > "$run/daemon.readback"');
  });

  test('no daemon: no rollout resource', () => {
    const out = synth((s) => {
      new HostBootstrap(s, 'h1', { target: target(1) });
      new DaemonRollout(s, 'Other', { target: target(2), content: '{}\n' });
    });
    expect(Object.keys(data(out)).filter((k) => k.startsWith('h1'))).toEqual([]);
  });

  test('daemon problems surface at synth with the construct path', () => {
    const stack = new TerraformStack(Testing.app(), 'lab-hosts');
    new HostBootstrap(stack, 'h1', { target: target(1), daemon: { bridge: 'br0', bip: '10.200.0.1/24' } });
    expect(() => Testing.synth(stack, true)).toThrow(/DN504 \[lab-hosts\/h1\/Daemon\]/);
  });

  test.each([
    [{ ...target(1), name: 'bad name' }, /target.name is "bad name"/],
    [{ ...target(1), ssh: { host: '198.18.0.1', user: 'root', port: 70000, hostKeys: [KEY(1)] } }, /target.ssh.port is 70000, expected an integer from 1 to 65535/],
    [{ ...target(1), ssh: { host: '198.18.0.1', user: 'root', timeout: '5 minutes', hostKeys: [KEY(1)] } }, /target.ssh.timeout is "5 minutes"/],
    [{ ...target(1), ssh: { host: '198.18.0.1', user: 'root', hostKeys: [] } }, /no host key is declared for 198.18.0.1.*ssh-keyscan -t ed25519 198.18.0.1.*fingerprint/],
    [{ ...target(1), ssh: { host: '198.18.0.1', user: 'root', hostKeys: ['198.18.0.1 ssh-ed25519 AAAA'] } }, /is not a public key line/],
    [{ ...target(1), ssh: { host: '198.18.0.1', user: 'ops', hostKeys: [KEY(1)], become: 'su' } }, /become is "su", expected "sudo" or "none"/],
    [{ ...target(1), dropUndeclaredKeys: ['a b'] }, /dropUndeclaredKeys entry "a b"/],
    [{ ...target(1), daemonConfigPath: 'daemon.json' }, /daemonConfigPath is "daemon.json", expected an absolute, normalized path/],
    // Values that reach scripts and remote shells: shell syntax, options posing as hosts, paths not normalized.
    [{ ...target(1), daemonConfigPath: '/etc/docker;id>proof;/daemon.json' }, /daemonConfigPath is "\/etc\/docker;id>proof;\/daemon.json", expected an absolute, normalized path/],
    [{ ...target(1), daemonConfigPath: '/etc/docker/$(id)/daemon.json' }, /daemonConfigPath is .*, expected an absolute, normalized path/],
    [{ ...target(1), daemonConfigPath: '/etc/docker/../docker/daemon.json' }, /no "\." or "\.\." part/],
    [{ ...target(1), pidFile: '/run/docker.pid`id`' }, /target.pidFile is .*, expected an absolute, normalized path/],
    [{ ...target(1), ssh: { host: '-oProxyCommand=id', user: 'root', hostKeys: [KEY(1)] } }, /target.ssh.host is "-oProxyCommand=id", expected the address or DNS name/],
    [{ ...target(1), ssh: { host: 'h1;id', user: 'root', hostKeys: [KEY(1)] } }, /target.ssh.host is "h1;id"/],
    [{ ...target(1), ssh: { host: '198.18.0.1', user: 'root', hostKeys: [KEY(1)], privateKeyPath: '/keys/$(id)' } }, /target.ssh.privateKeyPath is .*no spaces, quotes or shell metacharacters/],
    [{ ...target(1), dockerCommand: "docker'; id; '" }, /target.dockerCommand is .*, expected the docker CLI as words/],
  ] as [BootstrapTarget, RegExp][])('bad target %j throws DN520 with the path', (t, message) => {
    const stack = new TerraformStack(Testing.app(), 'lab-hosts');
    expect(() => new HostBootstrap(stack, 'h1', { target: t })).toThrow(message);
    expect(() => new HostBootstrap(stack, 'h2', { target: t })).toThrow(/error DN520 \[lab-hosts\/h2\]/);
  });
});

describe('SwarmBootstrap', () => {
  function swarm(extra: Record<string, unknown> = {}) {
    return synth((s) => {
      const hosts = [1, 2, 3].map((i) => new HostBootstrap(s, `h${i}`, { target: target(i), daemon: { mtu: 1400 } }));
      new SwarmBootstrap(s, 'Swarm', {
        managers: [{ host: hosts[0] }],
        workers: [{ host: hosts[1] }, { host: hosts[2], advertiseAddr: '198.18.0.33' }],
        defaultAddrPools: ['10.77.0.0/16', '10.78.0.0/16'],
        defaultAddrPoolMaskLength: 24,
        ...extra,
      });
    });
  }

  test('init on the first manager, idempotent, after its own rollout only; the token never printed', () => {
    const out = swarm();
    const init = one(out, 'Swarm_Init');
    expect(init.depends_on).toEqual([expect.stringMatching(/^terraform_data\.h1_DaemonRollout/)]);
    expect(init.triggers_replace.manager).toBe('198.18.0.1');
    const program: string = le(init).environment.DOCKNET_PROGRAM;
    expect(program).toContain("state=$(info '{{.Swarm.LocalNodeState}}')");
    expect(program).toContain("grep -v SWMTKN");
    expect(program).toContain("DOCKNET_ADVERTISE='198.18.0.1'");
    expect(program).toContain("DOCKNET_POOLS='10.77.0.0/16 10.78.0.0/16'");
    expect(program).toContain("DOCKNET_POOL_MASK='24'");
    expect(program).toContain("sh \"$run/swarm-init.sh\" 'init'");
  });

  test('workers join from the terraform machine over ssh with both host keys, after the init and their own rollout only', () => {
    const out = swarm();
    const join = one(out, 'Swarm_Join-h3');
    const l = le(join);
    expect(l.interpreter).toEqual(['/bin/sh', '-c']);
    expect(l.command).toBe('sh -c "$DOCKNET_SCRIPT" docknet-swarm-join'); // short in apply logs
    expect(l.environment.DOCKNET_SCRIPT).toContain('swarm join-token -q $DOCKNET_ROLE');
    expect(l.environment.DOCKNET_SCRIPT).toContain("read -r t && exec $DOCKNET_MEMBER_DOCKER swarm join --token");
    expect(l.environment).toMatchObject({
      DOCKNET_ROLE: 'worker',
      DOCKNET_MANAGER_ADDR: '198.18.0.1',
      DOCKNET_ADVERTISE: '198.18.0.33',
      DOCKNET_MEMBER_DEST: 'root@198.18.0.3',
      DOCKNET_MANAGER_DEST: 'root@198.18.0.1',
      DOCKNET_MANAGER_TIMEOUT: '20',
      DOCKNET_KNOWN_HOSTS: `198.18.0.1 ${KEY(1)}\n198.18.0.3 ${KEY(3)}`,
    });
    expect(join.depends_on).toEqual([expect.stringMatching(/^terraform_data\.Swarm_Init/), expect.stringMatching(/^terraform_data\.h3_DaemonRollout/)]);
    expect(join.triggers_replace.swarm).toMatch(/terraform_data\.Swarm_Init_\w+\.id/);
    expect(JSON.stringify(join)).not.toMatch(/SWMTKN-1-/);
  });

  test('destroying a join makes the node leave, reading only self; the init ends the swarm last', () => {
    const out = swarm();
    const join = one(out, 'Swarm_Join-h3');
    const leave = le(join, 1);
    expect(leave.when).toBe('destroy');
    expect(leave.environment.DOCKNET_SCRIPT).toContain('swarm leave');
    expect(leave.environment.DOCKNET_SCRIPT).toContain('node rm --force $id');
    expect(leave.environment.DOCKNET_SCRIPT).toContain('DOCKNET_UNREACHABLE');
    expect(leave.environment.DOCKNET_MEMBER_DEST).toBe('${self.input.leave.DOCKNET_MEMBER_DEST}');
    expect(join.input.leave.DOCKNET_MEMBER_DEST).toBe('root@198.18.0.3');
    // Only identity replaces a join: an ssh option change is an in-place input change, not a rejoin.
    expect(Object.keys(join.triggers_replace).sort()).toEqual(['member', 'role', 'swarm']);

    const init = one(out, 'Swarm_Init');
    expect(init.triggers_replace).toEqual({ manager: '198.18.0.1' });
    expect(init.input).toMatchObject({ pools: ['10.77.0.0/16', '10.78.0.0/16'] });
    const down = le(init, 1);
    expect(down.when).toBe('destroy');
    expect(down.environment.DOCKNET_TARGET_DEST).toBe('${self.input.leave.DOCKNET_TARGET_DEST}');
    expect(init.input.leave).toEqual(expect.objectContaining({ DOCKNET_TARGET_DEST: 'root@198.18.0.1', DOCKNET_KNOWN_HOSTS: `198.18.0.1 ${KEY(1)}` }));
    expect(down.environment.DOCKNET_PROGRAM).toContain("sh \"$run/swarm-init.sh\" 'leave'");
  });

  test('a docker command with options is quoted whole', () => {
    const out = synth((s) => {
      new SwarmBootstrap(s, 'Swarm', { managers: [{ host: { ...target(1), dockerCommand: 'docker -H unix:///run/lab/docker.sock' } }] });
    });
    expect(le(one(out, 'Swarm_Init'), 1).environment.DOCKNET_PROGRAM).toContain("DOCKNET_DOCKER='docker -H unix:///run/lab/docker.sock'");
  });

  test('leaveOnDestroy: false keeps nodes in the swarm', () => {
    const out = swarm({ leaveOnDestroy: false });
    expect(one(out, 'Swarm_Join-h3').provisioner).toHaveLength(1);
    expect(one(out, 'Swarm_Init').provisioner).toHaveLength(1);
  });

  test('firewall requirements are a Terraform output', () => {
    const out = swarm({ dataPathPort: 4790 });
    const o = Object.entries(out.output as Record<string, any>).find(([k]) => k.startsWith('Swarm_FirewallRequirements'))![1];
    expect(o.value).toEqual([
      expect.objectContaining({ protocol: 'tcp', port: 2377, to: 'managers', hosts: ['198.18.0.1'] }),
      expect.objectContaining({ protocol: 'tcp', port: 7946 }),
      expect.objectContaining({ protocol: 'udp', port: 7946 }),
      expect.objectContaining({ protocol: 'udp', port: 4790, hosts: ['198.18.0.1', '198.18.0.2', '198.18.0.33'] }),
      expect.objectContaining({ protocol: 'esp' }),
    ]);
  });

  test('managers join one after another', () => {
    const out = synth((s) => {
      new SwarmBootstrap(s, 'Swarm', { managers: [1, 2, 3].map((i) => ({ host: target(i) })) });
    });
    expect(one(out, 'Swarm_Join-h2').depends_on).toEqual([expect.stringMatching(/Swarm_Init/)]);
    expect(one(out, 'Swarm_Join-h3').depends_on).toEqual([expect.stringMatching(/Swarm_Join-h2/)]);
  });

  test('live-restore on a member fails synth', () => {
    const stack = new TerraformStack(Testing.app(), 'lab-hosts');
    const h = new HostBootstrap(stack, 'h1', { target: target(1), daemon: { liveRestore: true } });
    new SwarmBootstrap(stack, 'Swarm', { managers: [{ host: h }] });
    expect(() => Testing.synth(stack, true)).toThrow(/DN509 \[lab-hosts\/h1\/Daemon\] live-restore=true on a swarm member/);
  });

  test.each([
    [{ managers: [] }, /managers is empty/],
    [{ managers: [{ host: target(1) }, { host: target(2) }] }, /managers has 2 entries, expected an odd number/],
    [{ managers: [{ host: target(1) }], workers: [{ host: target(1) }] }, /host "h1" is listed twice/],
    [{ managers: [{ host: target(1) }], defaultAddrPools: ['10.77.0.0'] }, /CIDR prefix is missing/],
    [{ managers: [{ host: target(1) }], defaultAddrPools: ['10.77.0.0/26'], defaultAddrPoolMaskLength: 24 }, /smaller than one \/24 network/],
    [{ managers: [{ host: target(1) }], dataPathPort: 80 }, /dataPathPort is 80/],
    [{ managers: [{ host: target(1), advertiseAddr: '198.18.0.2;touch$IFS/tmp/x;#' }] }, /advertiseAddr of h1 is "198.18.0.2;touch\$IFS\/tmp\/x;#", expected an IP address/],
  ])('bad swarm props %#: DN520', (props, message) => {
    const stack = new TerraformStack(Testing.app(), 'lab-hosts');
    expect(() => new SwarmBootstrap(stack, 'Swarm', props as never)).toThrow(message);
    expect(() => new SwarmBootstrap(stack, 'Swarm2', props as never)).toThrow(/error DN520 \[lab-hosts\/Swarm2\]/);
  });
});

describe('MacvlanShim', () => {
  const shim = { name: 'dn-shim0', parent: 'eth0', address: '198.18.0.200/32', routes: ['198.18.0.128/27'] };

  test('idempotent create and a destroy-time removal that only references self', () => {
    const out = synth((s) => new HostBootstrap(s, 'h1', { target: target(1), shims: [shim] }));
    const r = one(out, 'h1_Shim-dn-shim0');
    const up = le(r, 0).environment.DOCKNET_PROGRAM as string;
    expect(up).toContain("'up' 'dn-shim0' 'eth0' '198.18.0.200/32' '198.18.0.128/27'");
    expect(up).toContain('ip link add "$shim" link "$parent" type macvlan mode bridge');
    expect(up).toContain('ip route replace "$range" dev "$shim"');
    const down = le(r, 1);
    expect(down.when).toBe('destroy');
    expect(down.environment.DOCKNET_TARGET_DEST).toBe('${self.input.down.DOCKNET_TARGET_DEST}');
    expect(down.environment.DOCKNET_PROGRAM).toContain("'down' 'dn-shim0'");
    expect(Object.keys(r.input.down).sort()).toEqual(['DOCKNET_KNOWN_HOSTS', 'DOCKNET_TARGET_BECOME', 'DOCKNET_TARGET_DEST', 'DOCKNET_TARGET_KEY', 'DOCKNET_TARGET_NAME', 'DOCKNET_TARGET_PORT', 'DOCKNET_TARGET_TIMEOUT']);
    expect(r.triggers_replace).toMatchObject({ host: '198.18.0.1', name: 'dn-shim0', routes: '198.18.0.128/27' });
  });

  test.each([
    [{ ...shim, name: 'a-name-longer-than-15' }, /shim name is "a-name-longer-than-15"/],
    [{ ...shim, address: '198.18.0.200' }, /CIDR prefix is missing/],
    [{ ...shim, routes: [] }, /expected the macvlan container ranges/],
    [{ ...shim, address: '198.18.0.130/32' }, /lies inside route 198.18.0.128\/27/],
  ])('bad shim %#: DN520', (props, message) => {
    const stack = new TerraformStack(Testing.app(), 'lab-hosts');
    expect(() => new MacvlanShim(stack, 'Shim', { ...props, target: target(1) })).toThrow(message);
  });
});
