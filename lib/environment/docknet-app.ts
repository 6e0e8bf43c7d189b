import * as fs from 'fs';
import * as path from 'path';
import { App, AppConfig } from 'cdktf';
import { DocknetStack } from './docknet-stack';
import { PLAN_FROZEN_CONTEXT, PlanStore } from './environment-plan';
import { formatProblem, Severity } from '../validation/problem';

export interface DocknetAppProps extends AppConfig {
  /**
   * The plan record, shared by every environment: `PlanStore.fromFile(...)`, or `PlanStore.inMemory()`
   * in tests.
   * @default located as PlanStore.of says: context "docknet:planFile", else docknet.plan.json next to cdktf.json
   */
  readonly planStore?: PlanStore;
  /**
   * Frozen plan (CI): a synth that would change the record fails. Ignored when `planStore` is given
   * (it carries its own).
   * @default context "docknet:planFrozen", else the environment variable DOCKNET_PLAN_FROZEN=1
   */
  readonly planFrozen?: boolean;
}

/**
 * The cdktf App of a docknet project. Its synth validates every environment first and reports all
 * problems of all stacks together (cdktf alone stops at the first failing stack), then writes the
 * Terraform JSON, a topology report per network stack, and the plan record.
 */
export class DocknetApp extends App {
  public readonly planStore: PlanStore;

  constructor(props: DocknetAppProps = {}) {
    super(props);
    // The app is the entry point, so it (and not the library below it) may read the environment.
    const frozen = props.planFrozen ?? (this.node.tryGetContext(PLAN_FROZEN_CONTEXT) === undefined ? process.env.DOCKNET_PLAN_FROZEN === '1' : undefined);
    this.planStore = PlanStore.attach(this, props.planStore ?? PlanStore.locate(this, { frozen }));
  }

  private readonly environments: { hosts: { build(): void } }[] = [];

  /** @internal DocknetEnvironment registers itself so synth can build its hosts stack last. */
  public registerEnvironment(env: { hosts: { build(): void } }): void {
    this.environments.push(env);
  }

  /** Builds what depends on the finished topology (the hosts stacks). Idempotent. */
  public finalize(): void {
    for (const env of this.environments) env.hosts.build();
  }

  public get docknetStacks(): DocknetStack[] {
    return this.node.findAll().filter((c): c is DocknetStack => c instanceof DocknetStack);
  }

  /** Every error message of every stack, each prefixed by its construct path. */
  public validateAll(): string[] {
    return this.node.findAll().flatMap((c) => c.node.validate().map((m) => `[${c.node.path}] ${m}`));
  }

  public synth(): void {
    this.finalize();
    const errors = this.validateAll();
    if (errors.length) {
      throw new Error(`docknet found ${errors.length} problem(s); nothing was written:\n  ${errors.join('\n  ')}`);
    }
    super.synth();
    for (const stack of this.docknetStacks) {
      // One report per environment: a sharded one's is in its first shard's folder.
      if (stack.environmentStacks[0] !== stack) continue;
      const dir = path.join(this.outdir, 'stacks', stack.node.id);
      const warnings = stack.problems().filter((p) => p.severity === Severity.WARNING).map(formatProblem);
      fs.writeFileSync(path.join(dir, 'docknet-report.md'), stack.report(warnings));
    }
    this.planStore.save();
  }
}
