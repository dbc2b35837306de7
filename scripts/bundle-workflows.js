// Bundle the workflow code once at build time, so every worker start skips webpack: one bundle per failure
// converter (see src/workers/workflow-code.ts), each with the tracing interceptors compiled in.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode } from '@temporalio/worker';
import {
  PREBUILT_BUNDLES,
  SHARED_WORKFLOW_MODULES,
  WORKFLOW_INTERCEPTOR_MODULES,
  WORKFLOWS_PATH,
} from '../dist/src/workers/workflow-code.js';

const logger = { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} };
for (const { codePath, failureConverterPath } of PREBUILT_BUNDLES) {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
    failureConverterPath,
    preloadModules: SHARED_WORKFLOW_MODULES,
    webpackConfigHook: freezingSharedExports,
    logger,
  });
  await writeFile(codePath, withoutEmbeddedSources(code));
}

/** Adds the loader that freezes each shared module's exports object (see SHARED_WORKFLOW_MODULES). */
function freezingSharedExports(config) {
  const shared = new Set(SHARED_WORKFLOW_MODULES);
  const loader = fileURLToPath(new URL('./workflow-shared-exports-loader.cjs', import.meta.url));
  config.module.rules.push({ test: (file) => shared.has(file), use: [loader] });
  return config;
}

/**
 * The bundle's inline source map without `sourcesContent` (the text of every bundled module: most of the map).
 * Every worker parses the map, in its main thread and in its workflow thread, to map workflow stack traces to
 * files and lines, which the rest of the map still does; the sources themselves are only sent with stack traces
 * when a worker sets `showStackTraceSources`, which baton does not.
 */
function withoutEmbeddedSources(code) {
  const at = code.lastIndexOf('//# sourceMappingURL=data:');
  const data = code.indexOf('base64,', at) + 'base64,'.length;
  if (at < 0 || data < at) throw new Error('the workflow bundle has no inline source map');
  const map = JSON.parse(Buffer.from(code.slice(data).trim(), 'base64').toString('utf8'));
  delete map.sourcesContent;
  return `${code.slice(0, data)}${Buffer.from(JSON.stringify(map)).toString('base64')}\n`;
}
