// Bundle the workflow code once at build time, so every worker start skips webpack: one bundle per failure
// converter (see src/workers/workflow-code.ts), each with the tracing interceptors compiled in.
import { writeFile } from 'node:fs/promises';
import { bundleWorkflowCode } from '@temporalio/worker';
import { PREBUILT_BUNDLES, WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../dist/src/workers/workflow-code.js';

const logger = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} };
for (const { codePath, failureConverterPath } of PREBUILT_BUNDLES) {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    failureConverterPath,
    logger,
  });
  await writeFile(codePath, code);
}
