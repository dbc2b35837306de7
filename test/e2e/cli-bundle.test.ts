// The `baton` executable runs the CLI from its bundle (dist/cli/baton.cjs) with V8's code cache (src/cli/main.ts):
// a command's first success leaves a cache for that command, and a cache that does not fit (corrupt, or from
// another build) is ignored and replaced, never an error.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT, describeResult, sandbox } from '../helpers/cli.js';

const BUNDLE = path.join(REPO_ROOT, 'dist', 'cli', 'baton.cjs');
const cacheOf = (command: string) =>
  path.join(REPO_ROOT, 'dist', 'cli', 'code-cache', `${process.version}-${process.arch}-${command}.bin`);

void test('a command leaves its code cache after its first success; a corrupt cache is ignored and replaced', async () => {
  assert.ok(existsSync(BUNDLE), 'npm run build bundles the CLI');
  const box = await sandbox('bundle');
  try {
    await writeFile(path.join(box.cwd, 'plan.yaml'), 'version: 1\nname: p\ntasks:\n  - id: a\n    prompt: Do a.\n');
    const cache = cacheOf('graph');
    await rm(cache, { force: true });
    const first = await box.baton(['graph', 'plan.yaml']);
    assert.equal(first.exitCode, 0, describeResult(first));
    assert.match(first.stdout, /flowchart/);
    assert.ok(existsSync(cache), 'the first success wrote the cache');

    await writeFile(cache, 'not a code cache');
    const again = await box.baton(['graph', 'plan.yaml']);
    assert.equal(again.exitCode, 0, describeResult(again));
    assert.equal(again.stdout, first.stdout);
    assert.equal(again.stderr, first.stderr);
    assert.notEqual(await readFile(cache, 'utf8').catch(() => ''), 'not a code cache', 'the bad cache was replaced');

    // A failing command (here an unknown one) writes none.
    const bad = await box.baton(['no-such-command']);
    assert.equal(bad.exitCode, 2, describeResult(bad));
    assert.ok(!existsSync(cacheOf('no-such-command')), 'no cache from a failed command');
  } finally {
    await box.cleanup();
  }
});
