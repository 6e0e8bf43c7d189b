#!/usr/bin/env node
/**
 * The workflow's guards around `terraform plan -out` / `terraform apply <plan>` (.github/workflows/docknet.yml):
 *
 *   gitops check-backend [--dir cdktf.out] [stack...]   refuse local or missing state in CI, and secrets in conn_str
 *   gitops digest --out synth.json [--commit SHA] [stack...]   what was planned: sha256 of each stack's cdk.tf.json
 *   gitops verify --planned synth.json [stack...]       refuse to apply when this synth differs from the planned one
 *   gitops plan-backend-config <stack>                  -backend-config flags for the read-only plan role (PGUSER)
 *
 * Stacks default to every stack of the synth (cdktf.out/manifest.json). Exit 1 with a message per
 * problem (all of them, once) and `::error::` annotations when run by GitHub Actions.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { readPgConnStr } from '../lib/environment/pg-conn';

export interface StackBackend {
  readonly stack: string;
  /** Terraform backend type ("pg", "local", "s3", ...), undefined when the stack declares none. */
  readonly type?: string;
  readonly config: Record<string, unknown>;
}

function readStack(dir: string, stack: string): Record<string, any> {
  const file = path.join(dir, 'stacks', stack, 'cdk.tf.json');
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: run \`npm run synth\` first, or check the stack name "${stack}".`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Every stack of a synth, in manifest order. */
export function listStacks(dir: string): string[] {
  const manifest = path.join(dir, 'manifest.json');
  if (!fs.existsSync(manifest)) throw new Error(`${manifest} does not exist: run \`npm run synth\` first.`);
  return Object.keys(JSON.parse(fs.readFileSync(manifest, 'utf8')).stacks ?? {});
}

export function readBackend(dir: string, stack: string): StackBackend {
  const backend = readStack(dir, stack).terraform?.backend as Record<string, Record<string, unknown>> | undefined;
  const [type] = Object.keys(backend ?? {});
  return { stack, type, config: type ? backend![type] : {} };
}

/** The user a libpq connection string names, if any (read as libpq reads it). */
function connStrUser(connStr: string): string | undefined {
  const c = readPgConnStr(connStr);
  return c.ok ? c.user : undefined;
}

/** A password in a libpq connection string, as libpq reads it; an unreadable one counts as holding one. */
function connStrHasPassword(connStr: string): boolean {
  const c = readPgConnStr(connStr);
  return !c.ok || c.hasPassword;
}

/**
 * Problems with where a stack keeps its state. Local (or no) state is refused only in CI: a runner's
 * disk is thrown away after the job, so the next run would find no state and try to create every
 * resource again. A password in the backend config is refused everywhere: it would sit in cdk.tf.json.
 */
export function backendProblems(b: StackBackend, ci: boolean): string[] {
  const problems: string[] = [];
  if (ci && (!b.type || b.type === 'local')) {
    const where = b.type ? `a local file (${String(b.config.path ?? 'terraform.tfstate')})` : 'a local file (the stack declares no backend)';
    problems.push(
      `${b.stack}: refused in CI: its Terraform state is ${where}. A CI runner's disk is discarded after the job, so the ` +
        `next deploy would start from no state and create everything again (and the plan reviewed in the pull request ` +
        `would not match what exists). Give the environment a remote backend (stateConnStr in stacks/<env>.ts: the pg ` +
        `backend, PGUSER and PGPASSWORD from the job's environment).`,
    );
  }
  if (ci && b.type === 'pg' && typeof b.config.conn_str === 'string' && connStrUser(b.config.conn_str)) {
    problems.push(
      `${b.stack}: the pg backend's conn_str names the user "${connStrUser(b.config.conn_str)}". A saved plan carries its ` +
        `backend configuration, so the plan job's read-only role and the deploy job's role must come from the ` +
        `environment: remove the user from stateConnStr and set PGUSER (a variable of each GitHub environment).`,
    );
  }
  if (b.type === 'pg' && typeof b.config.conn_str === 'string' && connStrHasPassword(b.config.conn_str)) {
    problems.push(
      `${b.stack}: the pg backend's conn_str carries a password, which would be written to cdk.tf.json, logs and ` +
        `artifacts. Remove it from stateConnStr and give terraform the password as PGPASSWORD (an environment secret).`,
    );
  }
  return problems;
}

export interface SynthDigest {
  /** The commit the synth was made from (GITHUB_SHA), for the humans reading a refusal. */
  readonly commit?: string;
  /** stack -> sha256 of its cdk.tf.json, byte for byte. */
  readonly stacks: Record<string, string>;
}

export function digestStacks(dir: string, stacks: string[], commit?: string): SynthDigest {
  const out: Record<string, string> = {};
  for (const s of [...stacks].sort()) {
    readStack(dir, s); // the clear "does not exist" error
    out[s] = createHash('sha256').update(fs.readFileSync(path.join(dir, 'stacks', s, 'cdk.tf.json'))).digest('hex');
  }
  return { commit, stacks: out };
}

/**
 * Why a saved plan must not be applied to this synth: a stack whose cdk.tf.json differs from the one
 * that was planned (the code moved between the reviewed plan and this commit), or one never planned.
 */
export function digestProblems(planned: SynthDigest, current: SynthDigest): string[] {
  const problems: string[] = [];
  const at = planned.commit ? ` (planned at ${planned.commit.slice(0, 12)})` : '';
  const now = current.commit ? ` at ${current.commit.slice(0, 12)}` : '';
  for (const [stack, sha] of Object.entries(current.stacks)) {
    const was = planned.stacks[stack];
    if (was === undefined) {
      problems.push(`${stack}: no reviewed plan exists for this stack${at}; nothing was applied. Open a pull request so its plan is made and reviewed.`);
    } else if (was !== sha) {
      problems.push(
        `${stack}: refused: the code moved since the plan was reviewed. The synth${now} differs from the planned synth${at} ` +
          `(cdk.tf.json sha256 ${sha.slice(0, 12)} ≠ ${was.slice(0, 12)}), so the saved plan does not describe this commit; ` +
          `nothing was applied. This happens when main changed after the pull request was planned: require branches to be ` +
          `up to date before merging so the reviewed plan is the merged code, and open a pull request to re-plan.`,
      );
    }
  }
  return problems;
}

/**
 * Flags for `terraform init` in a plan job: no DDL, which the read-only role may not run. The role
 * itself comes from PGUSER: a saved plan carries the backend configuration it was made with, so a
 * role written into conn_str here would be the role the deploy job applies with.
 */
export function planBackendConfig(b: StackBackend): string[] {
  if (b.type !== 'pg') return [];
  return ['-backend-config=skip_schema_creation=true', '-backend-config=skip_table_creation=true', '-backend-config=skip_index_creation=true'];
}

function fail(problems: string[]): void {
  for (const p of problems) {
    process.stderr.write(`gitops: ${p}\n`);
    if (process.env.GITHUB_ACTIONS === 'true') process.stdout.write(`::error::${p.replace(/%/g, '%25').replace(/\r?\n/g, '%0A')}\n`);
  }
  process.exitCode = 1;
}

export function main(argv: string[]): void {
  const [command, ...rest] = argv;
  const opts: Record<string, string> = {};
  const stacks: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i].startsWith('--')) opts[rest[i].slice(2)] = rest[++i];
    else stacks.push(rest[i]);
  }
  const dir = opts.dir ?? 'cdktf.out';
  const chosen = () => (stacks.length ? stacks : listStacks(dir));
  switch (command) {
    case 'check-backend': {
      const ci = process.env.CI === 'true' || process.env.CI === '1';
      const problems = chosen().flatMap((s) => backendProblems(readBackend(dir, s), ci));
      if (problems.length) return fail(problems);
      process.stdout.write(`gitops: state backends ok: ${chosen().map((s) => `${s} (${readBackend(dir, s).type ?? 'none'})`).join(', ')}\n`);
      return;
    }
    case 'digest': {
      if (!opts.out) throw new Error('digest needs --out <file>');
      fs.writeFileSync(opts.out, JSON.stringify(digestStacks(dir, chosen(), opts.commit), null, 2) + '\n');
      return;
    }
    case 'verify': {
      if (!opts.planned) throw new Error('verify needs --planned <synth.json from the plan artifact>');
      if (!fs.existsSync(opts.planned)) return fail([`${opts.planned} does not exist: no reviewed plan was found for this commit; nothing was applied.`]);
      const planned = JSON.parse(fs.readFileSync(opts.planned, 'utf8')) as SynthDigest;
      const problems = digestProblems(planned, digestStacks(dir, chosen(), opts.commit));
      if (problems.length) return fail(problems);
      process.stdout.write(`gitops: the synth matches the reviewed plan for ${chosen().join(', ')}\n`);
      return;
    }
    case 'plan-backend-config': {
      if (stacks.length !== 1) throw new Error('plan-backend-config needs exactly one stack');
      process.stdout.write(planBackendConfig(readBackend(dir, stacks[0])).join('\n') + '\n');
      return;
    }
    default:
      throw new Error(`unknown command "${command ?? ''}": use check-backend, digest, verify or plan-backend-config`);
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`gitops: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
