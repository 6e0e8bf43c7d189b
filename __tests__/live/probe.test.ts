/**
 * verify --probe without a lab: the expectations derived from the recorded lab topology
 * (fixtures/lab), the probe runner's reading of exit codes, and the findings a mismatch makes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EngineProber, ProbeCase, deriveProbes, probeCommand, renderProbeMatrix, runProbes } from '../../lib/live/probe';
import { HostSnapshot } from '../../lib/live/snapshot';
import { DriftKind, isDrift, verifyExitCode } from '../../lib/live/types';
import { loadEnvironment, runVerify } from '../../lib/live/verify';

const FIX = path.join(__dirname, 'fixtures', 'lab');
const HOSTS = ['h1', 'h2', 'h3'];
const snaps = () => new Map<string, HostSnapshot>(HOSTS.map((h) => [h, JSON.parse(fs.readFileSync(path.join(FIX, 'snapshots', `${h}.json`), 'utf8'))]));
const { expectation } = loadEnvironment(FIX, 'vf');
const line = (c: ProbeCase) => `${c.expect ? '+' : '-'} ${c.from ?? `host ${c.host}`} -> ${c.to} by ${c.how}: ${c.why}`;

describe('probe expectations from the topology', () => {
  const plan = deriveProbes(expectation, snaps());
  const lines = plan.cases.map(line);

  test('same network by name and address; icc=false blocks; overlays and macvlan peers across hosts', () => {
    expect(lines).toEqual(expect.arrayContaining([
      '+ vf-web -> vf-db by name: same network `vf-app`',
      expect.stringMatching(/^\+ vf-db -> 10\.212\.0\.10 by address: same network `vf-app`$/),
      '- vf-i1 -> vf-i2 by name: icc=false on `vf-other`',
      '+ vf-o1 -> vf-o2 by name: overlay `vf-ov` across hosts',
      '+ vf-o2 -> vf-o1 by name: overlay `vf-ov` across hosts',
      expect.stringMatching(/^\+ vf-m1 -> 198\.18\.0\.\d+ by address: macvlan peers on LAN `lan`$/),
    ]));
  });

  test('isolation: separate bridges, an internal network with no way out, a host without a shim', () => {
    expect(lines).toEqual(expect.arrayContaining([
      expect.stringMatching(/^- vf-web -> 10\.213\.0\.\d+ by address: `vf-app` and `vf-other` are separate bridges$/),
      expect.stringMatching(/^- vf-in1 -> 10\.212\.0\.\d+ by address: `vf-int` and `vf-app` are separate bridges$/),
      '- vf-in1 -> h2 (198.18.0.2) by address: internal network `vf-int`: no way out',
      '+ vf-web -> h2 (198.18.0.2) by address: `vf-app` routes out through h1',
      expect.stringMatching(/^\+ host h1 -> vf-m1 \(198\.18\.0\.\d+\) by address: h1 has a macvlan shim$/),
      expect.stringMatching(/^- host h2 -> vf-m2 \(198\.18\.0\.\d+\) by address: macvlan: h2 cannot reach its own containers without a shim$/),
      '+ host h2 -> h1:8080 (vf-web) by port: vf-web publishes 80/tcp on h1:8080',
    ]));
    // Containers not running and non-bridge modes are never probed from.
    expect(plan.cases.some((c) => c.from === 'vf-side')).toBe(false);
  });

  test('bounded: --probe-max keeps the first n and counts the rest', () => {
    const small = deriveProbes(expectation, snaps(), 5);
    expect(small.cases).toEqual(plan.cases.slice(0, 5));
    expect(small.dropped).toBe(plan.cases.length - 5);
  });

  test('a stopped container is not probed from', () => {
    const s = snaps();
    s.get('h1')!.containers.find((c) => c.Name === '/vf-i1')!.State.Running = false;
    expect(deriveProbes(expectation, s).cases.some((c) => c.from === 'vf-i1' || c.to === 'vf-i1')).toBe(false);
  });
});

describe('probe runner', () => {
  const base: ProbeCase = { host: 'h1', from: 'a', to: 'b', how: 'name', args: ['b'], expect: true, why: 'same network `n`' };
  const prober = (exitCode: number | null, output = ''): EngineProber => ({
    exec: async () => ({ exitCode, output }),
    runOnHost: async () => ({ exitCode, output }),
    close: () => undefined,
  });
  test.each([
    [0, '', { seen: true }],
    [1, '1 packets transmitted, 0 packets received', { seen: false }],
    [127, 'exec: "ping": executable file not found', { error: expect.stringMatching(/^ping is not available/) }],
    [null, '', { error: 'no answer within 8 s' }],
  ])('exit %p reads as %p', async (code, output, want) => {
    const [o] = await runProbes([base], new Map([['h1', prober(code, output)]]));
    expect(o).toMatchObject(want);
  });

  test('commands: one ping of one second, one TCP connect of one second', () => {
    expect(probeCommand(base)).toEqual(['ping', '-c1', '-W1', 'b']);
    const tcp = probeCommand({ ...base, how: 'port', args: ['10.0.0.1', '8080'] });
    expect(tcp.slice(0, 2)).toEqual(['sh', '-c']);
    expect(tcp.slice(3)).toEqual(['10.0.0.1', '8080']);
    expect(tcp[2]).toMatch(/^nc -w1 "\$0" "\$1"/);
  });

  test('a host that was not read cannot be probed: a note, not a guess', async () => {
    const [o] = await runProbes([base], new Map());
    expect(o.error).toBe('h1 was not reachable');
  });

  test('matrix: expected against seen, one row per probe', () => {
    const md = renderProbeMatrix([{ ...base, seen: true }, { ...base, expect: false, seen: true, why: 'icc=false on `n`' }], 3);
    expect(md).toContain('**Reachability probes:** 2 run, **1 not as expected**, 3 more left out (--probe-max).');
    expect(md).toContain('| ✅ | `a` on h1 | `b` | name | reachable | reachable | same network `n` |');
    expect(md).toContain('| ❌ | `a` on h1 | `b` | name | blocked | reachable | icc=false on `n` |');
  });
});

describe('verify --probe (fake engines answering what the lab answered)', () => {
  /** Answers every probe as the topology expects, except those `flip` names. */
  function engines(flip: (c: ProbeCase) => boolean = () => false) {
    const plan = deriveProbes(expectation, snaps());
    const answer = (host: string, from: string | undefined, cmd: string[]) => {
      const c = plan.cases.find((x) => x.host === host && x.from === from && probeCommand(x).join(' ') === cmd.join(' '));
      if (!c) throw new Error(`unexpected probe ${host}/${from}: ${cmd.join(' ')}`);
      return c.expect !== flip(c) ? 0 : 1;
    };
    return (endpoint: string) => {
      const host = endpoint.replace('unix:///fake/', '');
      const s = snaps().get(host)!;
      return {
        version: async () => s.version, info: async () => s.info, networks: async () => s.networks,
        containers: async () => s.containers.map((c) => ({ Id: c.Id })), container: async (id: string) => s.containers.find((c) => c.Id === id)!,
        images: async () => s.images, nodes: async () => s.nodes ?? [], services: async () => s.services ?? [], close: () => undefined,
        exec: async (from: string, cmd: string[]) => ({ exitCode: answer(host, from, cmd), output: '' }),
        runOnHost: async (_i: string, cmd: string[]) => ({ exitCode: answer(host, undefined, cmd), output: '' }),
      };
    };
  }
  const endpoints = Object.fromEntries(HOSTS.map((h) => [h, `unix:///fake/${h}`]));

  test('all as expected: exit 0, the matrix in the report', async () => {
    const r = await runVerify({ env: 'vf', dir: FIX, endpoints, connect: engines(), probe: {} });
    expect(r.findings.filter(isDrift)).toEqual([]);
    expect(verifyExitCode(r)).toBe(0);
    expect(r.probes!.outcomes.every((o) => o.seen === o.expect)).toBe(true);
  });

  test('a shim gone: the host no longer reaches its macvlan container: drift, exit 2', async () => {
    const r = await runVerify({ env: 'vf', dir: FIX, endpoints, connect: engines((c) => !c.from && /shim/.test(c.why) && c.expect), probe: {} });
    expect(verifyExitCode(r)).toBe(2);
    expect(r.findings.filter(isDrift)).toEqual([expect.objectContaining({
      host: 'h1', objectKind: 'path', kind: DriftKind.CHANGED, expected: 'reachable', actual: 'blocked', object: expect.stringMatching(/^host h1 → vf-m1/),
    })]);
  });

  test('icc flipped on: containers on the icc=false bridge reach each other: drift', async () => {
    const r = await runVerify({ env: 'vf', dir: FIX, endpoints, connect: engines((c) => /^icc=false/.test(c.why)), probe: {} });
    const d = r.findings.filter(isDrift);
    expect(d.length).toBeGreaterThanOrEqual(2);
    expect(d.every((f) => f.expected === 'blocked' && f.actual === 'reachable' && /icc=false on `vf-other`/.test(f.description))).toBe(true);
  });
});
