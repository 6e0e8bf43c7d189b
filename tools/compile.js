#!/usr/bin/env node
// Builds the published package into dist/: tsc (JS + .d.ts) for lib/ and bin/, then the assets the
// code reads at run time through __dirname (the bootstrap shell scripts, the `docknet init`
// templates), placed at the same relative paths as in the repository so ts-node and dist agree.
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');

fs.rmSync(dist, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
for (const dir of ['lib/bootstrap/scripts', 'templates']) {
  const from = path.join(root, dir);
  if (fs.existsSync(from)) fs.cpSync(from, path.join(dist, dir), { recursive: true });
}
// The plan/apply script `docknet init` gives every project as scripts/tf-stack.sh (lib/init/init.ts).
fs.copyFileSync(path.join(root, 'bin', 'tf-stack.sh'), path.join(dist, 'bin', 'tf-stack.sh'));
fs.chmodSync(path.join(dist, 'bin', 'docknet.js'), 0o755);
