#!/usr/bin/env node
// `npm run synth`: runs the app (main.ts) in this process, without the cdktf CLI, which costs about
// 2.7 s of CPU per synth on its own (docs/performance.md). Same output as `cdktf synth` (cdktf.json's
// app, which `cdktf synth`/`cdktf deploy` keep using): cdktf.out/, stale stack folders removed, the
// stacks listed; a failed synth prints its problems once, without a stack trace, and exits 1.
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const outdir = path.join(root, 'cdktf.out');
process.env.CHECKPOINT_DISABLE ??= '1';
const before = fs.existsSync(path.join(outdir, 'stacks')) ? fs.readdirSync(path.join(outdir, 'stacks')) : [];
require('ts-node').register({ project: path.join(root, 'tsconfig.json'), swc: true });
try {
  process.chdir(root);
  require(path.join(root, 'main.ts'));
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
}
// DocknetApp.run has printed the problems and set the exit code: nothing was written.
if (process.exitCode) process.exit(process.exitCode);
const stacks = Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8')).stacks).sort();
for (const stale of before.filter((s) => !stacks.includes(s))) fs.rmSync(path.join(outdir, 'stacks', stale), { recursive: true });
console.log(`Generated Terraform code for the stacks: ${stacks.join(', ')}`);
