// The failure converter of an encrypting deployment: a failure's message and stack trace move into its
// `encodedAttributes` payload, which the payload codec encrypts like any other payload; the history keeps
// only "Encoded failure". Reading it back needs nothing special: every failure converter restores them.
//
// Temporal loads it by path (DataConverter.failureConverterPath): the worker require()s it for activity
// failures, and scripts/bundle-workflows.js compiles it into the workflow bundle for the workflow's own
// failures. CommonJS (.cts) so that require() works on every Node 20.
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
