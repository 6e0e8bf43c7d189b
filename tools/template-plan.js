#!/usr/bin/env node
// Rewrites templates/init/docknet.plan.json: runs the template's main.ts against the built package
// (the template imports 'docknet', which resolves to this package by its own name and exports map).
// Run `npm run templates:plan` after changing the template's topology or the allocation; the
// packed-package test synthesizes the scaffold with a frozen plan and fails while the record is stale.
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const dir = path.resolve(__dirname, '..', 'templates', 'init');
const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'docknet-template-'));
try {
  fs.rmSync(path.join(dir, 'docknet.plan.json'), { force: true });
  execFileSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', 'main.ts'], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: '1', DOCKNET_PLAN_FROZEN: '' },
  });
} finally {
  fs.rmSync(outdir, { recursive: true, force: true });
}
