/**
 * The house rule of lib/: the core (model, address plan, validation, Docker facts, provider
 * semantics) imports nothing of the renderer, and outside the core every renderer name comes
 * through the one adapter, lib/cdk.ts. Moving to CDK Terrain then touches that file alone.
 */
import * as fs from 'fs';
import * as path from 'path';
import { builtinModules } from 'module';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const LIB = path.join(ROOT, 'lib');
const CORE = path.join(LIB, 'core');
const ADAPTER = path.join(LIB, 'cdk.ts');

/** The renderer's packages: cdktf, its successor, constructs and the provider bindings. */
const RENDERER = /^(cdktf|cdktn|constructs|@cdktf\/|@cdktn\/)/;
/** Plain-data packages the core may use besides Node's own modules. */
const CORE_PACKAGES = new Set(['ipaddr.js']);

function tsFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** Every module a source names: imports, re-exports, `import type`, `require()` and `import()`. */
function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((f) => f.fileName);
}

/** The file a relative specifier names (as TypeScript resolves it), or the bare path if none exists. */
function resolveRelative(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
  }
  return base;
}

const inside = (dir: string, file: string) => !path.relative(dir, file).startsWith('..');

/** What a core file imports that it must not: the renderer, other packages, or lib/ outside the core. */
function coreViolations(file: string, source: string): string[] {
  return importsOf(source).filter((spec) => {
    if (spec.startsWith('.')) return !inside(CORE, resolveRelative(file, spec));
    const name = spec.startsWith('node:') ? spec.slice(5) : spec;
    if (RENDERER.test(spec)) return true;
    return !builtinModules.includes(name) && !CORE_PACKAGES.has(spec);
  });
}

/** What a lib/ file outside the adapter imports straight from the renderer. */
function adapterViolations(source: string): string[] {
  return importsOf(source).filter((spec) => RENDERER.test(spec));
}

const rel = (f: string) => path.relative(ROOT, f);

describe('lib/core imports nothing of cdktf', () => {
  const coreFiles = tsFiles(CORE);

  test('the core holds the model, the address plan, validation and the facts', () => {
    const names = coreFiles.map(rel);
    for (const f of ['lib/core/model.ts', 'lib/core/address/pool.ts', 'lib/core/validation/engine.ts', 'lib/core/facts/docker.ts', 'lib/core/errors.ts']) {
      expect(names).toContain(f);
    }
  });

  test('no core file imports cdktf, constructs, the provider binding or lib/ outside lib/core', () => {
    const found = coreFiles.flatMap((f) => coreViolations(f, fs.readFileSync(f, 'utf8')).map((spec) => `${rel(f)} imports '${spec}'`));
    expect(found).toEqual([]);
  });

  test('outside lib/cdk.ts no file of lib/ imports cdktf, constructs or @cdktf/provider-docker', () => {
    const found = tsFiles(LIB)
      .filter((f) => f !== ADAPTER)
      .flatMap((f) => adapterViolations(fs.readFileSync(f, 'utf8')).map((spec) => `${rel(f)} imports '${spec}'`));
    expect(found).toEqual([]);
  });

  test('the adapter is where the renderer comes in', () => {
    expect(adapterViolations(fs.readFileSync(ADAPTER, 'utf8'))).toEqual(expect.arrayContaining(['cdktf', 'constructs']));
  });

  // The checks themselves: each kind of forbidden import is caught, in every syntax.
  test.each([
    ["import { Token } from 'cdktf';", 'cdktf'],
    ["import type { IConstruct } from 'constructs';", 'constructs'],
    ["export { Network } from '@cdktf/provider-docker/lib/network';", '@cdktf/provider-docker/lib/network'],
    ["const c = require('cdktn');", 'cdktn'],
    ["const m = import('../../host/docker-host');", '../../host/docker-host'],
    ["import { DocknetStack } from '../../environment/docknet-stack';", '../../environment/docknet-stack'],
    ["import * as yaml from 'yaml';", 'yaml'],
  ])('a core file with %s is reported', (source, spec) => {
    expect(coreViolations(path.join(CORE, 'address', 'x.ts'), source)).toEqual([spec]);
  });

  test('imports inside the core, of Node and of the allowed packages pass', () => {
    const source = "import { Cidr } from './cidr';\nimport { Problem } from '../validation/problem';\nimport * as fs from 'fs';\nimport * as p from 'node:path';\nimport ipaddr from 'ipaddr.js';";
    expect(coreViolations(path.join(CORE, 'address', 'x.ts'), source)).toEqual([]);
  });
});
