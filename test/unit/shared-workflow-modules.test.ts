// The modules every run on a worker shares (SHARED_WORKFLOW_MODULES, src/workers/workflow-code.ts): the prebuilt
// workflow bundle, loaded into the SDK's reusable sandbox as a worker loads it, holds them once for all runs, with
// their exports frozen and their zod schemas left as zod needs them; and a run started in it keeps a fraction of
// what it kept when every run built its own schemas (~1.2 MB each before). That the runs work with them is the
// workflow suite's business: every run there uses the shared schemas.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { PREBUILT_BUNDLES, SHARED_WORKFLOW_MODULES } from '../../src/workers/workflow-code.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
/** What a module is called in the bundle: its path from the project's root, as webpack names it. */
const moduleId = (file: string) => `./${path.relative(ROOT, file).split(path.sep).join('/')}`;
const RUNS = 40;

interface Sandbox {
  shared: boolean[];
  exportsFrozen: boolean[];
  planSchemaFrozen: boolean;
  keptKbPerRun: number;
}

/** Loads the bundle as the SDK's worker thread does, starts RUNS runs' sandboxes, and reports on them. */
function loadSandbox(codePath: string, ids: string[]): Sandbox {
  const script = `
    const fs = require('node:fs');
    const sdk = (p) => require(require.resolve(p, { paths: [${JSON.stringify(ROOT)}] }));
    const { parseWorkflowCode } = sdk('@temporalio/worker/lib/worker.js');
    const { ReusableVMWorkflowCreator } = sdk('@temporalio/worker/lib/workflow/reusable-vm.js');
    (async () => {
      const [codePath, idsJson, runs] = process.argv.slice(1);
      const ids = JSON.parse(idsJson);
      const bundle = parseWorkflowCode(fs.readFileSync(codePath, 'utf8'), codePath);
      const creator = await ReusableVMWorkflowCreator.create(bundle, 5000, new Set(['runAgent']), undefined);
      // Outside any run, the sandbox's module cache answers with the shared modules only.
      const cache = creator.context.__webpack_module_cache__;
      const shared = ids.map((id) => cache[id] !== undefined);
      const exportsFrozen = ids.map((id) => cache[id] !== undefined && Object.isFrozen(cache[id].exports));
      const planSchemaFrozen = Object.isFrozen(cache[ids[1]].exports.PlanSchema);
      global.gc();
      const before = process.memoryUsage().heapUsed;
      const kept = [];
      for (let i = 0; i < Number(runs); i++) {
        const runId = 'run-' + i;
        const info = { runId, workflowId: 'wf-' + i, workflowType: 'orchestrate', taskQueue: 'q', namespace: 'default',
          firstExecutionRunId: runId, attempt: 1, searchAttributes: {}, typedSearchAttributes: [], memo: {},
          unsafe: { isReplaying: false, now: () => Date.now() }, historyLength: 1, historySize: 1,
          continueAsNewSuggested: false, startTime: new Date(), runStartTime: new Date() };
        kept.push(await creator.createWorkflow({ info, randomnessSeed: [1, 2], now: Date.now(),
          showStackTraceSources: false, failureExceptionTypeNames: [] }));
      }
      global.gc();
      const keptKbPerRun = (process.memoryUsage().heapUsed - before) / Number(runs) / 1024;
      console.log(JSON.stringify({ shared, exportsFrozen, planSchemaFrozen, keptKbPerRun, runs: kept.length }));
      process.exit(0);
    })().catch((err) => { console.error(err); process.exit(1); });`;
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '-e', script, codePath, JSON.stringify(ids), String(RUNS)],
    {
      encoding: 'utf8',
      cwd: ROOT,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as Sandbox;
}

void describe('the modules every run on a worker shares', () => {
  const ids = SHARED_WORKFLOW_MODULES.map(moduleId);

  void it('are loaded once for all runs, exports frozen and schemas not, and a run keeps little of its own', () => {
    assert.equal(ids[1], './dist/src/plan/schema.js', 'the plan schema is the second shared module');
    for (const { codePath } of PREBUILT_BUNDLES) {
      const sandbox = loadSandbox(codePath, ids);
      assert.deepEqual(
        sandbox.shared,
        ids.map(() => true),
        `${codePath}: every listed module is shared`,
      );
      assert.deepEqual(
        sandbox.exportsFrozen,
        ids.map(() => true),
        `${codePath}: their exports are frozen`,
      );
      assert.equal(sandbox.planSchemaFrozen, false, `${codePath}: zod may still fill in a schema's internals`);
      assert.ok(sandbox.keptKbPerRun < 400, `${codePath}: a run keeps ${sandbox.keptKbPerRun.toFixed(0)} KB`);
    }
  });
});
