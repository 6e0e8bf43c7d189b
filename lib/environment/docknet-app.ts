import * as fs from 'fs';
import * as path from 'path';
import { App, DataResource, TerraformStack, ValidateBinaryVersion } from '../cdk';
import type { AppConfig } from '../cdk';
import { DocknetStack } from './docknet-stack';
import { HostsStack } from './hosts-stack';
import { PLAN_FROZEN_CONTEXT, PlanStore } from './environment-plan';
import { DocknetError } from '../core/errors';
import { Problem, error, formatProblem, Severity, sortProblems } from '../core/validation/problem';
import { annotateWarnings, collectProblems, hasProblemSource } from '../validation/validated';

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

  /**
   * Every problem of every stack, errors and warnings, sorted: each construct's validation runs
   * once, and each warning is annotated once on its construct.
   */
  public validate(): Problem[] {
    const found = collectProblems(this);
    for (const f of found) annotateWarnings(f.scope, f.problems);
    this.lastValidation = new Map(found.map((f) => [f.scope.node.path, f.problems]));
    return sortProblems([...found.flatMap((f) => f.problems), ...this.otherValidations()]);
  }

  /**
   * Validations that are not docknet's own (cdktf's checks, the user's node.addValidation), which
   * synth no longer gets from cdktf (it would repeat docknet's): each run once. The hosts stacks'
   * terraform_data resources carry nothing but cdktf's "Terraform >= 1.4" check, one `terraform
   * version` process apiece: it runs once for all of them.
   */
  private otherValidations(): Problem[] {
    const out: Problem[] = [];
    let builtIn: DataResource | undefined;
    for (const c of this.node.findAll()) {
      if (hasProblemSource(c)) continue;
      if (c instanceof DataResource && TerraformStack.of(c) instanceof HostsStack) {
        builtIn ??= c;
        continue;
      }
      for (const m of c.node.validate()) out.push(error('DN115', [c.node.path], m));
    }
    if (builtIn) for (const m of terraformForDataResources().validate()) out.push(error('DN115', [builtIn.node.path], m));
    return out;
  }

  /** Every error of every stack, one formatted line each (see formatProblem). */
  public validateAll(): string[] {
    return this.validate().filter((p) => p.severity === Severity.ERROR).map(formatProblem);
  }

  private lastValidation?: Map<string, Problem[]>;

  /**
   * Validates once, then writes the Terraform JSON, a report per network stack and the plan record.
   * @throws DocknetError with every error of every stack, sorted, when there is any; nothing is written.
   */
  public synth(): void {
    this.finalize();
    const stacks = this.docknetStacks;
    const held = stacks.reduceRight<() => void>((inner, stack) => () => stack.holdModel(inner), () => this.synthValidated());
    held();
  }

  /** The synth proper, with each stack's model and problems built once (DocknetStack.holdModel). */
  private synthValidated(): void {
    const problems = this.validate();
    const errors = problems.filter((p) => p.severity === Severity.ERROR);
    if (errors.length) {
      throw new DocknetError(errors, `docknet found ${errors.length} problem(s); nothing was written (codes: docs/rules.md):`);
    }
    // Validation has just run over the whole tree; cdktf would run every construct's again per stack.
    const self = this as unknown as { skipValidation: boolean };
    const skip = self.skipValidation;
    self.skipValidation = true;
    try {
      super.synth();
    } finally {
      self.skipValidation = skip;
    }
    for (const stack of this.docknetStacks) {
      // One report per environment: a sharded one's is in its first shard's folder.
      if (stack.environmentStacks[0] !== stack) continue;
      const dir = path.join(this.outdir, 'stacks', stack.node.id);
      const mine = this.lastValidation?.get(stack.node.path) ?? [];
      const warnings = mine.filter((p) => p.severity === Severity.WARNING).map(formatProblem);
      fs.writeFileSync(path.join(dir, 'docknet-report.md'), stack.report(warnings));
    }
    this.planStore.save();
  }

  /**
   * For a program that `cdktf synth` runs (main.ts): builds the app, synthesizes it, and when
   * docknet finds problems (while building or at synth) prints them once on stdout and sets exit
   * code 1. cdktf echoes a failing app's stderr twice (live and in its summary) and stdout once,
   * and a thrown error would add a stack trace: this prints the sorted list alone.
   */
  public static run(build: (app: DocknetApp) => void, props: DocknetAppProps = {}): DocknetApp | undefined {
    try {
      const app = new DocknetApp(props);
      build(app);
      app.synth();
      return app;
    } catch (e) {
      if (!(e instanceof DocknetError)) throw e;
      const lines = e.problems.map(formatProblem);
      process.stdout.write(lines.length > 1 ? `${e.message}\n` : `docknet found 1 problem; nothing was written (codes: docs/rules.md):\n  ${lines[0]}\n`);
      process.exitCode = 1;
      return undefined;
    }
  }
}

/** cdktf's own check of a terraform_data resource (the same constraint, binary and message). */
function terraformForDataResources(): ValidateBinaryVersion {
  const binary = process.env.TERRAFORM_BINARY_NAME || 'terraform';
  return new ValidateBinaryVersion(binary, '>=1.4', `${binary} version`, 'The built-in Terraform data resource is only supported for Terraform >=1.4. Please upgrade your Terraform version.');
}
