// Bundle the workflow code once at build time, so every worker start skips webpack.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';

const workflowsPath = fileURLToPath(new URL('../dist/src/workflows/index.js', import.meta.url));
const { code } = await bundleWorkflowCode({
  workflowsPath,
  logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
});
await writeFile(new URL('../dist/workflow-bundle.js', import.meta.url), code);
