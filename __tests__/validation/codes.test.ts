import * as fs from 'fs';
import * as path from 'path';
import { RULES, renderRulesMarkdown } from '../../lib/core/validation/codes';

const root = path.join(__dirname, '../..');

test('docs/rules.md is exactly what the registry generates (npm run docs:rules)', () => {
  expect(fs.readFileSync(path.join(root, 'docs/rules.md'), 'utf8')).toBe(renderRulesMarkdown());
});

test('codes are unique, in their family range, and point at an existing docs section', () => {
  expect(new Set(RULES.map((r) => r.code)).size).toBe(RULES.length);
  for (const r of RULES) {
    expect(r.code).toMatch(/^DN[1-6]\d\d$/);
    const [file, anchor] = r.docs.split('#');
    const doc = fs.readFileSync(path.join(root, file), 'utf8');
    const slugs = [...doc.matchAll(/^#+ (.*)$/gm)].map((m) => m[1].toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-'));
    expect(slugs).toContain(anchor);
  }
});

test('every code literal reported anywhere in lib/ is registered (the type Code enforces it; this catches casts)', () => {
  const known = new Set<string>(RULES.map((r) => r.code));
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(path.join(root, 'lib'));
  const unknown = files.flatMap((f) => [...fs.readFileSync(f, 'utf8').matchAll(/'(DN\d{3})'/g)].map((m) => m[1]).filter((c) => !known.has(c)).map((c) => `${c} in ${f}`));
  expect(unknown).toEqual([]);
});
