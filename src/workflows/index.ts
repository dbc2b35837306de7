// The workflow bundle's entry: every workflow the worker registers.
export { orchestrate } from './orchestrate.js';
