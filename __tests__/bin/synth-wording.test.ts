/**
 * The CLI's messages name the README's command, `npm run synth` (the project's script; the scaffold
 * has it too), never a bare "cdktf synth" a reader of the README has not met. The behaviour of each
 * message is tested where it is raised (report, promote, verify, model tests); this catches a new one.
 */
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    return e.isDirectory() ? sources(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

test('no message in lib/ or bin/ tells the user to run "cdktf synth"', () => {
  const files = [...sources('lib'), ...sources('bin')];
  expect(files.length).toBeGreaterThan(50);
  const found: string[] = [];
  for (const f of files) {
    fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').forEach((line, i) => {
      if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments describe what cdktf runs
      if (/["'`(]cdktf synth["')`]|Run "cdktf synth/.test(line)) found.push(`${f}:${i + 1}: ${line.trim()}`);
    });
  }
  // init.ts's `synth: 'cdktf synth'` is the scaffold's npm script itself, not a message.
  expect(found.filter((l) => !l.startsWith('lib/init/init.ts:') || !/synth: 'cdktf synth'/.test(l))).toEqual([]);
});
