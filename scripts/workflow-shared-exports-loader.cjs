// A webpack loader for the workflow bundle (scripts/bundle-workflows.js), applied to SHARED_WORKFLOW_MODULES only
// (src/workers/workflow-code.ts): once the module has run, its exports object is frozen. The SDK deep-freezes what
// a shared module exports but stops at an object that is already frozen, so the module's bindings stay fixed for
// every run while the zod schemas they name stay as zod needs them (it fills in their internals on first use).
module.exports = function sharedExports(source, map) {
  this.callback(null, `${source}\n;Object.freeze(__webpack_module__.exports);\n`, map);
};
