// Validates GitHub workflow files with GitHub's own parser (@actions/workflow-parser).
// A separate ESM process because the parser is ESM-only and imports its JSON schema without an
// import attribute (it expects a bundler); the loader hook below serves that JSON as a module.
// Usage: node workflow-lint.mjs <file.yml>...  -> prints JSON [{file, errors: [...], jobs: [...]}]
import { register } from 'node:module';
import { readFileSync } from 'node:fs';

const hooks = `
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
export async function load(url, context, next) {
  if (url.endsWith('.json') && url.includes('@actions')) {
    return { format: 'module', shortCircuit: true, source: 'export default ' + readFileSync(fileURLToPath(url), 'utf8') };
  }
  return next(url, context);
}`;
register('data:text/javascript,' + encodeURIComponent(hooks));

const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import('@actions/workflow-parser');

const results = [];
for (const file of process.argv.slice(2)) {
  const parsed = parseWorkflow({ name: file, content: readFileSync(file, 'utf8') }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  let jobs = [];
  if (parsed.value) {
    const template = await convertWorkflowTemplate(parsed.context, parsed.value);
    for (const e of template.errors ?? []) errors.push(e.Message ?? e.message ?? String(e));
    jobs = (template.jobs ?? []).map((j) => j.id?.value ?? String(j.id));
  } else {
    errors.push('workflow did not parse');
  }
  results.push({ file, errors: [...new Set(errors)], jobs });
}
process.stdout.write(JSON.stringify(results));
