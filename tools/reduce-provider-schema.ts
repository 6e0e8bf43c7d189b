#!/usr/bin/env -S npx ts-node --transpile-only
/**
 * Reduces `terraform providers schema -json` output (stdin) to the schema data docknet commits
 * (lib/core/provider/schemas/<version>.json, stdout): docs/providers.md has the whole procedure.
 *
 *   terraform providers schema -json | npx ts-node --transpile-only tools/reduce-provider-schema.ts \
 *     --version 4.5.0 --produced 'built from tag v4.5.0 with go1.26.8; terraform v1.11.4' > lib/core/provider/schemas/4.5.0.json
 *
 * It reads only; it neither fetches nor builds the provider.
 */
import { reduceProviderSchema, serializeProviderSchema } from '../lib/core/provider/schema-data';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const value = i > 0 ? process.argv[i + 1] : fallback;
  if (value === undefined || value.startsWith('--')) {
    process.stderr.write(`reduce-provider-schema: --${name} is required (--version <provider version> --produced <how the binary was built>)\n`);
    process.exit(2);
  }
  return value;
}

const version = arg('version');
if (!/^\d+\.\d+\.\d+$/.test(version)) {
  process.stderr.write(`reduce-provider-schema: --version ${JSON.stringify(version)} is not a release version such as 4.5.0\n`);
  process.exit(2);
}
const provider = arg('provider', 'registry.terraform.io/kreuzwerker/docker');
const produced = `${arg('produced')}; \`terraform providers schema -json\` reduced by tools/reduce-provider-schema.ts`;

const chunks: Buffer[] = [];
process.stdin.on('data', (c: Buffer) => chunks.push(c));
process.stdin.on('end', () => {
  try {
    const raw = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    process.stdout.write(serializeProviderSchema(reduceProviderSchema(raw, { provider, version, produced })));
  } catch (e) {
    process.stderr.write(`reduce-provider-schema: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
});
