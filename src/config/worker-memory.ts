// How a worker's V8 heaps trade memory for CPU: BATON_WORKER_MEMORY, `baton worker --memory` (what each does:
// src/workers/worker.ts, workerV8Flags).
export const WORKER_MEMORY_MODES = ['small', 'large'] as const;
export type WorkerMemory = (typeof WORKER_MEMORY_MODES)[number];
/** A laptop's default: the 5,000-task run's worker stays near 300 MB. */
export const DEFAULT_WORKER_MEMORY: WorkerMemory = 'small';
