// Runs once before every jest run: gives the run its own TMPDIR, so whatever a test leaves in
// os.tmpdir() is found (and removed) by global-teardown.js instead of piling up in /tmp, and notes
// which docknet/cdktf entries /tmp already holds, to tell new ones apart.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { TMP_PATTERN } = require('./temp-entries');

module.exports = async function globalSetup() {
  const systemTmp = os.tmpdir();
  const runDir = fs.mkdtempSync(path.join(systemTmp, 'docknet-jest-'));
  fs.chmodSync(runDir, 0o1777); // like /tmp: lab processes running as other users may write here
  process.env.DOCKNET_TEST_SYSTEM_TMPDIR = systemTmp;
  process.env.DOCKNET_TEST_RUN_DIR = runDir;
  process.env.DOCKNET_TEST_TMP_BEFORE = JSON.stringify(fs.readdirSync(systemTmp).filter((f) => TMP_PATTERN.test(f)));
  const tmp = path.join(runDir, 'tmp');
  fs.mkdirSync(tmp, { mode: 0o1777 });
  fs.chmodSync(tmp, 0o1777);
  // Workers are started after this and inherit it; os.tmpdir() reads TMPDIR on every call.
  process.env.TMPDIR = tmp;
};
