import * as fs from 'fs';
import * as path from 'path';
import { App, AppConfig, DataResource, TerraformStack } from 'cdktf';
import { ValidateBinaryVersion } from 'cdktf/lib/validations';
import { DocknetStack } from './docknet-stack';
import { HostsStack } from './hosts-stack';
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
    const errors: string[] = [];
    let builtIn: DataResource | undefined;
    for (const c of this.node.findAll()) {
      // Each terraform_data carries cdktf's Terraform >= 1.4 check, one `terraform version` process
      // apiece; docknet's own (the hosts stacks' bootstrap) carry nothing else: check once for all.
      if (c instanceof DataResource && TerraformStack.of(c) instanceof HostsStack) {
        builtIn ??= c;
        continue;
      }
      errors.push(...c.node.validate().map((m) => `[${c.node.path}] ${m}`));
    }
    if (builtIn) errors.push(...terraformForDataResources().validate().map((m) => `[${builtIn!.node.path}] ${m}`));
    return errors;
  }

  public synth(): void {
    this.finalize();
    const stacks = this.docknetStacks;
    const held = stacks.reduceRight<() => void>((inner, stack) => () => stack.holdModel(inner), () => this.synthValidated());
    held();
  }

  /** The synth proper, with each stack's model and problems built once (DocknetStack.holdModel). */
  private synthValidated(): void {
    const errors = this.validateAll();
    if (errors.length) {
      throw new Error(`docknet found ${errors.length} problem(s); nothing was written:\n  ${errors.join('\n  ')}`);
    }
    // validateAll ran every validation of the tree; cdktf would run them all again per stack, and each
    // terraform_data carries a check that spawns `terraform version`. A stack with a moved resource
    // keeps cdktf's pass (it adds its Terraform >= 1.5 check during synthesis).
    const skip = !this.skipValidation && !this.node.findAll().some((c) => c instanceof TerraformStack && c.hasResourceMove());
    const self = this as { skipValidation: boolean };
    if (skip) self.skipValidation = true;
    try {
      super.synth();
    } finally {
      if (skip) self.skipValidation = false;
    }
    for (const stack of this.docknetStacks) {
      const dir = path.join(this.outdir, 'stacks', stack.node.id);
      const warnings = stack.problems().filter((p) => p.severity === Severity.WARNING).map(formatProblem);
      fs.writeFileSync(path.join(dir, 'docknet-report.md'), stack.report(warnings));
    }
    this.planStore.save();
  }
}

/** cdktf's own check of a terraform_data resource (the same constraint, binary and message). */
function terraformForDataResources(): ValidateBinaryVersion {
  const binary = process.env.TERRAFORM_BINARY_NAME || 'terraform';
  return new ValidateBinaryVersion(binary, '>=1.4', `${binary} version`, 'The built-in Terraform data resource is only supported for Terraform >=1.4. Please upgrade your Terraform version.');
}
