// In every test file: cdktf's Testing.app() and Testing.fullSynth() make an output folder in the
// temp folder and never remove it (about a hundred per run). Record them and remove them after the file.
import * as fs from 'fs';
import { Testing } from 'cdktf';

const made: string[] = [];
const app = Testing.app.bind(Testing);
const fullSynth = Testing.fullSynth.bind(Testing);
Testing.app = (options?: Parameters<typeof Testing.app>[0]) => {
  const a = app(options);
  if (!options?.outdir) made.push(a.outdir);
  return a;
};
Testing.fullSynth = (stack: Parameters<typeof Testing.fullSynth>[0]) => {
  const dir = fullSynth(stack);
  made.push(dir);
  return dir;
};

afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
