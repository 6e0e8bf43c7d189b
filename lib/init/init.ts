import * as fs from 'fs';
import * as path from 'path';

/** Files the template folder holds under another name, because npm pack drops or renames them. */
const RENAMES: Record<string, string> = { _gitignore: '.gitignore', _github: '.github' };

export interface InitOptions {
  /** Where to create the project; created when missing. */
  readonly dir: string;
  /** The project's package name. @default the folder's name */
  readonly name?: string;
}

export interface InitResult {
  readonly dir: string;
  readonly name: string;
  /** Paths written, relative to dir, sorted. */
  readonly files: string[];
}

/** docknet's own package.json (next to lib/ in the repository, next to dist/ in the package). */
function ownPackage(): { name: string; version: string; devDependencies: Record<string, string>; peerDependencies: Record<string, string> } {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
      if (pkg.name === 'docknet') return pkg;
    }
    if (path.dirname(dir) === dir) throw new Error(`docknet's package.json was not found above ${__dirname}; reinstall docknet.`);
  }
}

/** The templates, at the same place relative to this file under ts-node (repo) and in dist/. */
export const TEMPLATE_DIR = path.join(__dirname, '..', '..', 'templates', 'init');

/**
 * Files of docknet's own the scaffold gets as they are (one copy to maintain): target -> source,
 * at the same place relative to this file under ts-node (repo) and in dist/ (tools/compile.js).
 */
const SHARED: Record<string, string> = { 'scripts/tf-stack.sh': path.join(__dirname, '..', '..', 'bin', 'tf-stack.sh') };

function templateFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? templateFiles(dir, r) : [r];
  });
}

function targetPath(rel: string): string {
  return rel
    .split('/')
    .map((p) => RENAMES[p] ?? p)
    .join('/');
}

/**
 * The project's package.json. Versions come from docknet's own: the exact cdktf, constructs and
 * provider binding it is built and tested with (within its peer ranges), and its tools.
 */
function packageJson(name: string): string {
  const own = ownPackage();
  const pin = (dep: string) => {
    const v = own.devDependencies[dep];
    if (!v) throw new Error(`docknet's package.json has no version for ${dep}; reinstall docknet.`);
    return v;
  };
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    scripts: {
      synth: 'cdktf synth',
      test: 'tsc --noEmit -p tsconfig.json && node --require ts-node/register --test test/topology.test.ts',
      docknet: 'docknet',
      // The workflow's guards around the saved plans (check-backend, digest, verify): docknet's bin/gitops.
      gitops: 'node node_modules/docknet/dist/bin/gitops.js',
    },
    engines: { node: '>=20' },
    dependencies: {
      '@cdktf/provider-docker': pin('@cdktf/provider-docker'),
      cdktf: pin('cdktf'),
      constructs: pin('constructs'),
      docknet: `^${own.version}`,
    },
    devDependencies: {
      '@types/node': pin('@types/node'),
      'cdktf-cli': pin('cdktf-cli'),
      'ts-node': pin('ts-node'),
      typescript: pin('typescript'),
    },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

/**
 * Scaffolds a docknet project: cdktf.json, main.ts, stacks/ (a topology and dev/staging/prod values),
 * the plan record for it, a test, the GitOps workflow (with scripts/tf-stack.sh) and a README. Refuses to overwrite anything.
 */
export function init(options: InitOptions): InitResult {
  const dir = path.resolve(options.dir);
  const name = options.name ?? (path.basename(dir).toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[._-]+/, '') || 'docknet-project');
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) {
    throw new Error(`"${name}" is not a valid package name. Expected lower-case letters, digits, ".", "_" and "-"; pass --name.`);
  }
  const sources = templateFiles(TEMPLATE_DIR);
  const files = [...sources.map(targetPath), ...Object.keys(SHARED), 'package.json'].sort();
  const existing = files.filter((f) => fs.existsSync(path.join(dir, f)));
  if (existing.length > 0) {
    throw new Error(`${dir} already has ${existing.join(', ')}; nothing was written. Choose an empty folder (docknet init <dir>).`);
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const rel of sources) {
    const to = path.join(dir, targetPath(rel));
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.writeFileSync(to, fs.readFileSync(path.join(TEMPLATE_DIR, rel), 'utf8').replace(/\{\{name\}\}/g, name));
  }
  for (const [rel, from] of Object.entries(SHARED)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(dir, rel));
  }
  fs.writeFileSync(path.join(dir, 'package.json'), packageJson(name));
  return { dir, name, files };
}
