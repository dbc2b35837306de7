// The schemas of the workflow's input other than the plan's (./input-check.ts checks the input with them). A
// module of schemas only, shared by every run on a worker (SHARED_WORKFLOW_MODULES, src/workers/workflow-code.ts):
// what it builds at load is built once per worker, not once per run.
import { z } from 'zod';
import { DurationSchema } from '../plan/schema.js';

/** A duration as Temporal takes one: milliseconds, or text such as "100ms", "2 minutes". */
const TemporalDuration = z.union([
  z.number().nonnegative(),
  z.string().regex(/^\d+(\.\d+)?\s*(ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?|d|days?)?$/i),
]);

// Loose: fields a newer client sends are kept for the code that knows them.
export const OptionsSchema = z.looseObject({
  cwd: z.string().min(1).optional(),
  retryInitialInterval: TemporalDuration.optional(),
  heartbeatTimeout: TemporalDuration.optional(),
  continueAsNewAfterEvents: z.number().int().positive().optional(),
  approvePlan: z.boolean().optional(),
  agentsDir: z.string().min(1).optional(),
  planningRounds: z.number().int().min(1).max(100).optional(),
  plannerModel: z.string().min(1).optional(),
  plannerTimeout: DurationSchema.optional(),
});

export const RefusalsSchema = z
  .array(z.object({ at: z.string(), operation: z.string(), payload: z.string(), reason: z.string() }))
  .max(100);
