// The workflow bundle's entry: every workflow the worker registers.
import './zod-jitless.js';

export { orchestrate } from './orchestrate.js';
