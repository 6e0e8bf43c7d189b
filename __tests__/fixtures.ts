import { App, Testing } from 'cdktf';
import { DocknetStack, EnvironmentPlan, HostConnection, PlanStore, SwarmRole, DockerHost, DocknetStackProps } from '../lib';

/**
 * A syntactically valid sshd host key for fixtures: hosts the <env>-hosts stack manages must declare one
 * (DN520). No lab host has it, so nothing ever trusts it by accident.
 */
export const TEST_HOST_KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKoqvis5mySTu4+vIw9ptwYShZQE2Bo0AxbCzo1DOqQf';

/** A fresh single-environment stack with an in-memory plan and two LAN hosts (h1 manager, h2 worker). */
export function fleet(props: Partial<DocknetStackProps> = {}): { app: App; stack: DocknetStack; h1: DockerHost; h2: DockerHost } {
  const app = Testing.app();
  const stack = new DocknetStack(app, 'test-network', { environment: 'test', plan: new EnvironmentPlan('test', PlanStore.inMemory()), ...props });
  stack.addPool('bridges', { cidr: '10.50.0.0/16' });
  stack.addLanSegment('lan', { subnet: '10.9.0.0/24', gateway: '10.9.0.1', reserved: [{ label: 'h1', cidr: '10.9.0.11' }, { label: 'h2', cidr: '10.9.0.12' }] });
  const h1 = stack.addHost('h1', { connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.11', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), interfaces: { eth0: { address: '10.9.0.11/24', lan: 'lan' } }, swarmRole: SwarmRole.MANAGER });
  const h2 = stack.addHost('h2', { connection: HostConnection.ssh({ user: 'ops', host: '10.9.0.12', hostKey: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), interfaces: { eth0: { address: '10.9.0.12/24', lan: 'lan' } }, swarmRole: SwarmRole.WORKER });
  return { app, stack, h1, h2 };
}

/** Synthesized Terraform JSON of a stack, parsed, with validations run. */
export function synthJson(stack: DocknetStack): any {
  return JSON.parse(Testing.synth(stack, true));
}

/** The one resource of a type whose `name` attribute is given. */
export function resourceNamed(json: any, type: string, name: string): any {
  const found = Object.values(json.resource?.[type] ?? {}).filter((r: any) => r.name === name);
  if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
  return found[0];
}

/** Error codes (DNxxx) of every problem of a stack. */
export function codes(stack: DocknetStack): string[] {
  return stack.problems().map((p) => p.code);
}

/** The message of a synth that must fail; a synth that passes fails the test. */
export function failureOf(synth: () => unknown): string {
  try {
    synth();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('the synth passed, but it was expected to fail');
}
