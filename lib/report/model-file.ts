/**
 * Reads docknet-model.json, the topology synth writes next to each stack's cdk.tf.json. Every tool
 * that reads a synth back (report, diff, promote, the lab replay) starts here; the Terraform JSON is
 * read only for what provider semantics need (lib/report/synth.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { DocknetModel, MODEL_FILE, MODEL_VERSION, MODEL_VERSIONS_READ, ResourceAddressModel } from '../core/model';

export { MODEL_FILE, MODEL_VERSION };

const VERSIONS = MODEL_VERSIONS_READ.join(' and ');

/** A model file that cannot be read: missing, not JSON, not a model, or of a version this docknet does not know. */
export class ModelFileError extends Error {}

/**
 * Reads one model: the file itself, or a stack folder (cdktf.out/stacks/<stack>) holding it.
 * Fails with what was found, what was expected and the fix, on a missing file or an unknown version.
 */
export function readModel(dirOrFile: string): DocknetModel {
  const file = fs.existsSync(dirOrFile) && fs.statSync(dirOrFile).isDirectory() ? path.join(dirOrFile, MODEL_FILE) : dirOrFile;
  if (!fs.existsSync(file)) {
    throw new ModelFileError(`No ${MODEL_FILE} at "${file}": docknet writes one into every stack folder at synth. Synthesize with this docknet ("npm run synth") and pass the stack folder or the file.`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ModelFileError(`${file} is not JSON (${(e as Error).message}). Synthesize again; do not edit the file by hand.`);
  }
  return checkModel(doc, file);
}

/** Checks a parsed model document; `where` names it in messages. */
export function checkModel(doc: unknown, where = MODEL_FILE): DocknetModel {
  const d = doc as Partial<DocknetModel> | null;
  if (!d || typeof d !== 'object' || d.kind !== 'docknet-model') {
    throw new ModelFileError(`${where} is not a docknet model: expected an object with "kind": "docknet-model" and a "version". Synthesize again.`);
  }
  if (!Number.isInteger(d.version) || (d.version as number) < 1) {
    throw new ModelFileError(`${where} has version ${JSON.stringify(d.version)}; expected a positive integer (this docknet reads versions ${VERSIONS}). Synthesize again.`);
  }
  if (!MODEL_VERSIONS_READ.includes(d.version as number)) {
    const newer = (d.version as number) > Math.max(...MODEL_VERSIONS_READ);
    throw new ModelFileError(
      `${where} is docknet model version ${d.version}; this docknet reads versions ${VERSIONS} only. ` +
        (newer ? 'It was written by a newer docknet: upgrade docknet, or synthesize with this one.' : 'Synthesize again with this docknet.'),
    );
  }
  for (const field of ['environment', 'stack'] as const) {
    if (typeof d[field] !== 'string') throw new ModelFileError(`${where}: "${field}" is missing; expected a string. Synthesize again.`);
  }
  for (const field of ['hosts', 'networks', 'containers', 'resources'] as const) {
    if (!Array.isArray(d[field])) throw new ModelFileError(`${where}: "${field}" is missing; expected a list. Synthesize again.`);
  }
  return d as DocknetModel;
}

/**
 * The models of a cdktf.out folder by stack name (stacks without a model are absent: not every
 * stack of an app is docknet's).
 */
export function readModels(outdir: string): Map<string, DocknetModel> {
  const stacksDir = fs.existsSync(path.join(outdir, 'stacks')) ? path.join(outdir, 'stacks') : outdir;
  const out = new Map<string, DocknetModel>();
  if (!fs.existsSync(stacksDir)) return out;
  for (const name of fs.readdirSync(stacksDir).sort()) {
    const file = path.join(stacksDir, name, MODEL_FILE);
    if (fs.existsSync(file)) out.set(name, readModel(file));
  }
  return out;
}

/** "type.logicalId" -> the object it renders, for the resources of one stack. */
export function addressIndex(model: DocknetModel, stack: string = model.stack): Map<string, ResourceAddressModel> {
  return new Map(model.resources.filter((r) => r.stack === stack).map((r) => [`${r.type}.${r.logicalId}`, r]));
}

/** The slot of each host by name; a host without a declared slot is its own slot (its name). */
export function slotsOf(model: { hosts: { name: string; slot?: string }[] }): Map<string, string> {
  return new Map(model.hosts.map((h) => [h.name, h.slot ?? h.name]));
}
