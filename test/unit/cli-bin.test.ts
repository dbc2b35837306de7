// The package's bin is executable as the build leaves it: npx makes it so only when it first links the project, so a
// dist/ built again in the same folder must not depend on that ("baton: Permission denied", exit 127).
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = new URL('../../../', import.meta.url);

test("the build leaves package.json's bin executable, with a node shebang", () => {
  const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { bin: Record<string, string> };
  const bin = fileURLToPath(new URL(pkg.bin.baton!, root));
  assert.equal(statSync(bin).mode & 0o111, 0o111, `${bin} is not executable`);
  assert.match(readFileSync(bin, 'utf8').split('\n')[0]!, /^#!\/usr\/bin\/env node$/);
});
