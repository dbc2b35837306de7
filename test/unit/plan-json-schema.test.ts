// The plan's JSON Schema (docs/plan.schema.json) that editors use: the checked-in file is what the zod schema
// generates today (scripts/plan-schema.js), every example names it and passes both it (checked by ajv, a
// validator baton does not own) and baton's own validator, and so do the plans shown in docs/PLAN.md.
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { planJsonSchema } from '../../src/plan/json-schema.js';
import { formatIssue } from '../../src/plan/errors.js';
import { loadPlanFile, parsePlanText, validatePlanObject } from '../../src/plan/load.js';

// Compiled, this file is dist/test/unit/…: the repository root is three levels up.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCHEMA_FILE = path.join(ROOT, 'docs', 'plan.schema.json');
const MODELINE = '# yaml-language-server: $schema=../docs/plan.schema.json';

async function checkedInSchema(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
}

async function validator() {
  // strict: an unknown keyword in the schema (something editors would silently ignore) is an error here.
  return new Ajv({ strict: true, allErrors: true }).compile(await checkedInSchema());
}

void test('docs/plan.schema.json is what the zod schema generates now (else: npm run build && npm run plan-schema)', async () => {
  assert.deepEqual(await checkedInSchema(), planJsonSchema());
});

void test('every example names the schema on its first line and passes it and baton validate', async () => {
  const validate = await validator();
  const examples = (await readdir(path.join(ROOT, 'examples'))).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(examples.length >= 3, `examples: ${examples.join(', ')}`);
  for (const example of examples) {
    const file = path.join(ROOT, 'examples', example);
    const text = await readFile(file, 'utf8');
    assert.equal(text.split('\n')[0], MODELINE, `${example} names the schema for editors`);
    assert.ok(validate(parse(text)), `${example}: ${JSON.stringify(validate.errors)}`);
    await loadPlanFile(file); // throws a PlanError listing every problem
  }
});

void test('every plan in docs/PLAN.md passes the schema and baton validate', async () => {
  const validate = await validator();
  const doc = await readFile(path.join(ROOT, 'docs', 'PLAN.md'), 'utf8');
  const plans = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .filter((block) => /^version: 1$/m.test(block));
  assert.ok(plans.length >= 2, `plans found in docs/PLAN.md: ${plans.length}`);
  for (const text of plans) {
    assert.ok(validate(parse(text)), `${text}\n${JSON.stringify(validate.errors)}`);
    // A plan shown with a sub-plan file (`plan: plans/x.yaml`) names a file the docs do not have: checked as a file.
    const checked = validatePlanObject(parse(text), 'docs/PLAN.md', { files: true });
    assert.ok(checked.ok, `${text}\n${checked.ok ? '' : checked.issues.map(formatIssue).join('\n')}`);
  }
});

void test('the schema refuses what baton refuses: an unknown key, a bad id, a bad duration, no tasks', async () => {
  const validate = await validator();
  const plan = (extra: Record<string, unknown>, task: Record<string, unknown> = {}) => ({
    version: 1,
    name: 'p',
    tasks: [{ id: 'a', prompt: 'Do a.', ...task }],
    ...extra,
  });
  assert.ok(validate(plan({})), JSON.stringify(validate.errors));
  const bad: Array<[string, unknown]> = [
    ['a misspelt key', plan({}, { dependson: [] })],
    ['an uppercase id', plan({}, { id: 'A' })],
    ['a duration without a unit', plan({ defaults: { timeout: '30' } })],
    ['an unknown onFailure', plan({ onFailure: 'retry' })],
    ['no tasks', { version: 1, name: 'p', tasks: [] }],
    ['version 2', plan({ version: 2 })],
  ];
  for (const [what, value] of bad) {
    assert.equal(validate(value), false, `the schema accepts ${what}`);
    assert.throws(() => parsePlanText(JSON.stringify(value), 'p.json', 'json'), /Invalid plan/, what);
  }
});
