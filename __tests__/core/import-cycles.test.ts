/**
 * No import circle in lib/: a circle makes module load order decide which side sees `undefined`
 * (a class or enum used before its file has run), and it hides which file owns a shape. Type-only
 * imports count too: they are the usual way a circle starts (lib/live had one of five files until
 * its shared shapes moved to lib/live/types.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const LIB = path.join(ROOT, 'lib');

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The lib/ file a relative specifier names, as TypeScript resolves it; undefined for packages. */
function resolveRelative(from: string, spec: string, exists: (f: string) => boolean): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find(exists);
}

/** file -> the files it imports (imports, re-exports, `import type`, require() and import()). */
function importGraph(sources: ReadonlyMap<string, string>): Map<string, string[]> {
  const exists = (f: string) => sources.has(f);
  const graph = new Map<string, string[]>();
  for (const [file, source] of sources) {
    const specs = ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
    graph.set(file, [...new Set(specs.map((s) => resolveRelative(file, s, exists)).filter((f): f is string => f !== undefined))]);
  }
  return graph;
}

/** Every circle, as its strongly connected set of files (Tarjan), each sorted; a self-import counts. */
function cyclesOf(graph: ReadonlyMap<string, string[]>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) visit(v);
  return out;
}

describe('lib/ has no import circle', () => {
  test('no file of lib/ reaches itself through its imports', () => {
    const files = tsFiles(LIB);
    expect(files.length).toBeGreaterThan(50);
    const graph = importGraph(new Map(files.map((f) => [f, fs.readFileSync(f, 'utf8')])));
    const rel = (f: string) => path.relative(ROOT, f);
    expect(cyclesOf(graph).map((c) => `circle: ${c.map(rel).join(', ')}`)).toEqual([]);
  });

  test('the check finds a circle of type-only imports across folders, and nothing in a chain', () => {
    const f = (n: string) => path.join(LIB, n);
    const circle = new Map([
      [f('live/a.ts'), "import type { B } from './b';"],
      [f('live/b.ts'), "export { C } from '../other/c';"],
      [f('other/c.ts'), "const a = require('../live/a');"],
      [f('other/d.ts'), "import { A } from '../live/a';\nimport * as fs from 'fs';"],
    ]);
    expect(cyclesOf(importGraph(circle))).toEqual([[f('live/a.ts'), f('live/b.ts'), f('other/c.ts')]]);
    const chain = new Map([
      [f('live/a.ts'), "import type { B } from './b';"],
      [f('live/b.ts'), "import { C } from '../other';"],
      [f('other/index.ts'), "import * as ts from 'typescript';"],
    ]);
    expect(cyclesOf(importGraph(chain))).toEqual([]);
  });
});
