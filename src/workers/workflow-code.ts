// Where a worker's workflow code comes from. `npm run build` bundles it once (scripts/bundle-workflows.js),
// twice in fact: the failure converter is compiled into a bundle, and an encrypting deployment needs the one
// that hands failure messages to the codec (ENCODED_FAILURES_CONVERTER_PATH) while the others must keep
// them readable. Both bundles carry the workflow interceptors: how a run ends as cancelled
// (src/workflows/cancellation.ts), and tracing (src/workflows/tracing.ts), whether tracing is on being the worker's
// business, decided by the sink it injects.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ENCODED_FAILURES_CONVERTER_PATH } from '../codec/data-converter.js';

const fromHere = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));

export const WORKFLOWS_PATH = fromHere('../workflows/index.js');
export const WORKFLOW_INTERCEPTOR_MODULES = [
  fromHere('../workflows/cancellation.js'),
  fromHere('../workflows/tracing.js'),
];

/**
 * The modules every run on a worker shares (the bundle's `preloadModules`), loaded once when the worker's workflow
 * sandbox starts instead of once per run: the ones that build zod schemas at load, which were most of what a run
 * cost to start (~18 ms) and to keep (~1.2 MB) while the worker holds it (docs/BENCHMARKS.md), and pack.ts with
 * fflate, which builds its deflate tables at load. A module listed here
 * must hold nothing of one run: schemas, constants and functions only. The SDK deep-freezes what a shared module
 * exports; zod fills in a schema's internals when it is first used, so the bundle freezes these modules' exports
 * objects only (scripts/workflow-shared-exports-loader.cjs) and their schemas stay as zod needs them. zod-jitless
 * comes first: zod's settings are frozen with the rest of it.
 */
export const SHARED_WORKFLOW_MODULES = [
  fromHere('../workflows/zod-jitless.js'),
  fromHere('../plan/schema.js'),
  fromHere('../workflows/messages.js'),
  fromHere('../workflows/input-schemas.js'),
  fromHere('../workflows/talk-schemas.js'),
  fromHere('../workflows/pack.js'),
];

export interface PrebuiltBundle {
  codePath: string;
  /** Compiled into the bundle as its failure converter; undefined: Temporal's default. */
  failureConverterPath: string | undefined;
}

/** The bundles `npm run build` writes, one per failure converter baton uses. */
export const PREBUILT_BUNDLES: PrebuiltBundle[] = [
  { codePath: fromHere('../../workflow-bundle.js'), failureConverterPath: undefined },
  {
    codePath: fromHere('../../workflow-bundle-encoded-failures.js'),
    failureConverterPath: ENCODED_FAILURES_CONVERTER_PATH,
  },
];

/** For Worker.create: a prebuilt bundle, or the sources and the interceptor modules to bundle with them. */
export interface WorkflowCode {
  workflowBundle?: { codePath: string };
  workflowsPath?: string;
  workflowModules?: string[];
}

/**
 * The prebuilt bundle made with this failure converter; failing that (not built, or a converter of a
 * library user's own) the sources, which the worker bundles at start with its data converter's paths. Bundled so,
 * each run loads every module itself (no SHARED_WORKFLOW_MODULES: the SDK would deep-freeze their schemas): slower
 * to start a run, the same in what it does.
 */
export function workflowCode(failureConverterPath: string | undefined): WorkflowCode {
  const bundle = PREBUILT_BUNDLES.find((b) => b.failureConverterPath === failureConverterPath);
  if (bundle && existsSync(bundle.codePath)) return { workflowBundle: { codePath: bundle.codePath } };
  return { workflowsPath: WORKFLOWS_PATH, workflowModules: WORKFLOW_INTERCEPTOR_MODULES };
}
