// Writes docs/plan.schema.json, the plan's JSON Schema for editors, from the zod schema (src/plan/json-schema.ts).
// Run after `npm run build`: `npm run plan-schema`. test/unit/plan-json-schema.test.ts fails while the checked-in
// file differs from what this writes.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import prettier from 'prettier';
import { planJsonSchema } from '../dist/src/plan/json-schema.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const file = path.join(root, 'docs', 'plan.schema.json');
// Formatted as `npm run lint` (prettier --check) wants it.
const options = { ...(await prettier.resolveConfig(file)), filepath: file };
await writeFile(file, await prettier.format(JSON.stringify(planJsonSchema(), null, 2), options));
console.log(`wrote ${path.relative(root, file)}`);
