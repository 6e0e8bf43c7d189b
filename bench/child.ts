/**
 * Runs a bench child script in a fresh node process (ts-node, swc transpiler) and parses its one JSON
 * line. `node` is the Node binary (default: the one running the bench).
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

export function runChild<T>(script: string, args: string[] = [], nodeArgs: string[] = [], node = process.execPath): T {
  const out = execFileSync(node, [...nodeArgs, '-r', 'ts-node/register', path.join(__dirname, script), ...args], {
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: '1', TS_NODE_SWC: '1', CHECKPOINT_DISABLE: '1' },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = out.trim().split('\n').pop()!;
  return JSON.parse(line) as T;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
