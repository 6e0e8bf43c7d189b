// Runs once after every jest run: prints the e2e skip banner (visible without --verbose), then
// checks that the run left nothing behind. Entries left in the run's own TMPDIR fail the run (after
// being removed); new docknet/cdktf entries in the system temp folder are named loudly (another
// process on the machine may have made them, so they do not fail the run).
const fs = require('fs');
const path = require('path');
const { TMP_PATTERN } = require('./temp-entries');

const BANNER = '!'.repeat(78);

module.exports = async function globalTeardown() {
  const runDir = process.env.DOCKNET_TEST_RUN_DIR;
  const systemTmp = process.env.DOCKNET_TEST_SYSTEM_TMPDIR;
  if (!runDir || !systemTmp) return;
  process.env.TMPDIR = systemTmp;
  const out = [];

  const skipFile = path.join(runDir, 'e2e-skipped.jsonl');
  if (fs.existsSync(skipFile)) {
    const skips = fs.readFileSync(skipFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    out.push(BANNER, `!!! E2E SKIPPED: ${skips.length} real-engine suite(s) did not run:`);
    for (const s of skips) out.push(`!!!   "${s.suite}" - ${s.reason}`);
    out.push('!!! Run as root on Linux, or set DOCKNET_E2E=required to make this a failure.', BANNER);
  }

  // Tool caches that live in the temp folder on purpose are not a test's leftovers.
  const left = fs.readdirSync(path.join(runDir, 'tmp')).filter((f) => !/^v8-compile-cache/.test(f));
  const before = new Set(JSON.parse(process.env.DOCKNET_TEST_TMP_BEFORE || '[]'));
  const fresh = fs.readdirSync(systemTmp).filter((f) => TMP_PATTERN.test(f) && !before.has(f) && path.join(systemTmp, f) !== runDir);
  fs.rmSync(runDir, { recursive: true, force: true });
  if (fresh.length > 0) {
    out.push(BANNER, `!!! ${fresh.length} new docknet/cdktf entr${fresh.length === 1 ? 'y' : 'ies'} in ${systemTmp} since the run began (this run or another process):`);
    for (const f of fresh.slice(0, 20)) out.push(`!!!   ${f}`);
    if (fresh.length > 20) out.push(`!!!   ... and ${fresh.length - 20} more`);
    out.push(BANNER);
  }
  if (left.length > 0) {
    out.push(BANNER, `!!! TESTS LEFT ${left.length} TEMP ENTR${left.length === 1 ? 'Y' : 'IES'} BEHIND (removed now; fix the test that made them):`);
    for (const f of left.slice(0, 20)) out.push(`!!!   ${f}`);
    if (left.length > 20) out.push(`!!!   ... and ${left.length - 20} more`);
    out.push(BANNER);
  }
  if (out.length) process.stdout.write(`\n${out.join('\n')}\n`);
  if (left.length > 0) throw new Error(`tests left ${left.length} temp entr${left.length === 1 ? 'y' : 'ies'} behind: ${left.slice(0, 5).join(', ')}`);
};
