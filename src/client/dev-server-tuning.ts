// What every Temporal dev server baton starts is given (the embedded default, the bench's, the tests'): baton's
// search attributes, and a dynamic configuration. The dev server has one history shard, and a shard reads each of
// its task queues at most `…MaxPollRPS` times a second (default 20). A workflow whose activities end within
// milliseconds of each other needs a read for every workflow task it gets: once the rate's burst is spent, every
// hop of a chain of quick tasks waited for its turn (docs/BENCHMARKS.md has the figures). The queue is read only
// when there is something new, so a higher cap costs an idle server nothing. A cluster of your own has more
// shards; deploy/temporal/dynamicconfig.yaml raises the same caps.
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

/** Key → value (JSON) for `temporal server start-dev --dynamic-config-value KEY=VALUE`. */
export const DEV_SERVER_DYNAMIC_CONFIG: Readonly<Record<string, number>> = {
  // Transfer tasks: a workflow task or an activity task to hand to matching.
  'history.transferProcessorMaxPollRPS': 1000,
  // Timer tasks: retry backoffs, heartbeat and start-to-close timeouts.
  'history.timerProcessorMaxPollRPS': 1000,
  // Visibility tasks: the search attributes `baton list` and the Web UI read.
  'history.visibilityProcessorMaxPollRPS': 1000,
  // One partition per task queue instead of four: a task written to a partition no poller waits on is forwarded to
  // the root partition first. On one dev server that only delays dispatch, and a layer's agents that start apart
  // end apart, each end a workflow task of its own (many runs at once: docs/BENCHMARKS.md).
  'matching.numTaskqueueReadPartitions': 1,
  'matching.numTaskqueueWritePartitions': 1,
};

/** The `--dynamic-config-value` arguments of DEV_SERVER_DYNAMIC_CONFIG. */
export function devServerTuningArgs(): string[] {
  return Object.entries(DEV_SERVER_DYNAMIC_CONFIG).flatMap(([key, value]) => [
    '--dynamic-config-value',
    `${key}=${JSON.stringify(value)}`,
  ]);
}

/** The arguments of `temporal server start-dev` that every dev server baton starts shares. */
export function devServerArgs(): string[] {
  return [
    ...Object.entries(SEARCH_ATTRIBUTES).flatMap(([name, type]) => ['--search-attribute', `${name}=${type}`]),
    ...devServerTuningArgs(),
  ];
}
