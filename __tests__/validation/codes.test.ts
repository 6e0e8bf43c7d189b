import * as fs from 'fs';
import * as path from 'path';
import { RULES } from '../../lib/validation/codes';

test('docs/addressing.md lists exactly the rule codes of codes.ts, with their severity', () => {
  const doc = fs.readFileSync(path.join(__dirname, '../../docs/addressing.md'), 'utf8');
  const rows = [...doc.matchAll(/^\| (DN\d{3}) \| (error|warning) \|/gm)].map((m) => `${m[1]} ${m[2]}`);
  expect(rows).toEqual(RULES.map((r) => `${r.code} ${r.severity}`));
});

test('codes are unique and in their family range', () => {
  expect(new Set(RULES.map((r) => r.code)).size).toBe(RULES.length);
  for (const r of RULES) expect(r.code).toMatch(/^DN[1-4]\d\d$/);
});
