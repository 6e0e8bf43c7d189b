/**
 * One synth of the bench fleet in a fresh process (spawned by synth.bench.ts):
 *   synth-child.ts <docknet|raw> <S|M|L> <outdir>
 * Prints one JSON line: CPU and wall time of build + synth (modules are loaded before the clock
 * starts), the process's peak RSS, and the bytes and sha256 of the stack's docker resources.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { dockerResources, SIZES, STACK } from './fleet';

const [kind, sizeName, outdir] = process.argv.slice(2);
const size = SIZES[sizeName];
if (!size || !['docknet', 'raw'].includes(kind) || !outdir) throw new Error('usage: synth-child.ts <docknet|raw> <S|M|L> <outdir>');
// Load the builder (and with it cdktf, the bindings and docknet) before the clock starts.
const build: (s: typeof size, o: string) => { synth(): void } =
  kind === 'raw' ? require('./fleet').rawFleet : require('./fleet-docknet').docknetFleet;

const cpu0 = process.cpuUsage();
const t0 = process.hrtime.bigint();
build(size, outdir).synth();
const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
const cpu = process.cpuUsage(cpu0);
const docker = dockerResources(JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', STACK, 'cdk.tf.json'), 'utf8')));
fs.writeFileSync(path.join(outdir, 'docker-resources.json'), docker);
const total = process.cpuUsage();
console.log(
  JSON.stringify({
    kind,
    size: sizeName,
    cpuMs: (cpu.user + cpu.system) / 1e3,
    wallMs,
    processCpuMs: (total.user + total.system) / 1e3,
    maxRssMiB: process.resourceUsage().maxRSS / 1024,
    dockerBytes: Buffer.byteLength(docker),
    dockerSha256: crypto.createHash('sha256').update(docker).digest('hex'),
  }),
);
