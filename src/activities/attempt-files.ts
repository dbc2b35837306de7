// An attempt's files and the artifact store: before the agent starts, what it reads (its prompt when that travelled
// by reference, its dependencies' full results) is made local; after it ends, what it wrote is kept in the store,
// so that a dependent task on another host, and people, can read it.
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/common';
import { LocalArtifactStore } from '../artifacts/local-store.js';
import { ArtifactStoreError, StoreProblem, type ArtifactStore } from '../artifacts/store.js';
import { promptFileOf } from '../plan/prompt-ref.js';
import { FailureType, type AgentFailureDetails } from '../contract/failures.js';
import type { AttemptPaths } from './artifact-paths.js';
import type { RunAgentInput } from '../contract/agent.js';

/** The store of a worker: the one configured, else its artifacts folder itself (what baton always did). */
export function storeOf(deps: { artifactsDir: string; store?: ArtifactStore }): ArtifactStore {
  return (
    deps.store ??
    new LocalArtifactStore({
      artifacts: deps.artifactsDir,
      inputs: path.join(path.dirname(path.resolve(deps.artifactsDir)), 'inputs'),
    })
  );
}

/**
 * The task's prompt text; one that travelled by reference is read from the store. Failures carry `details` (the
 * attempt, its cost so far), which the workflow reads.
 */
export async function readTaskPrompt(
  store: ArtifactStore,
  prompt: string,
  details: AgentFailureDetails,
): Promise<string> {
  const ref = promptFileOf(prompt);
  if (ref === null) return prompt;
  try {
    return (await store.read(ref)).toString('utf8');
  } catch (err) {
    if (err instanceof ArtifactStoreError && err.problem !== StoreProblem.NotFound) {
      throw unavailable(
        `the task's prompt is at ${ref}, which this worker cannot read now: ${err.message}`,
        err,
        details,
      );
    }
    throw ApplicationFailure.create({
      type: FailureType.AgentBadArguments,
      message: `the task's prompt is in ${ref}, which this worker cannot read (${(err as Error).message}); workers of a run need the BATON_HOME it was started with, or a shared BATON_ARTIFACTS store`,
      nonRetryable: true,
      cause: err as Error,
      details: [details],
    });
  }
}

/** Local files holding the dependencies' full results, by task id (downloaded when they are in a remote store). */
export async function dependencyResults(
  store: ArtifactStore,
  input: RunAgentInput,
  paths: AttemptPaths,
  details: AgentFailureDetails,
): Promise<Record<string, string>> {
  const copies: Record<string, string> = {};
  for (const dep of input.dependencies) {
    if (!dep.artifactPath) continue;
    try {
      copies[dep.id] = await store.localCopy(dep.artifactPath, paths.dependencyResult(dep.id));
    } catch (err) {
      throw unavailable(
        `cannot fetch the result of dependency ${dep.id} (${dep.artifactPath}): ${(err as Error).message}`,
        err,
        details,
      );
    }
  }
  return copies;
}

export interface KeptAttempt {
  /** Refs by local file. */
  refs: Map<string, string>;
  /** The ref of a file, or the file when it was not kept. */
  refOf(file: string): string;
}

/**
 * Keeps the attempt's files in the store (the local store: where they lie). Files the attempt never wrote are
 * left out; the first failure ends it (ArtifactStoreError).
 */
export async function keepAttemptFiles(
  store: ArtifactStore,
  paths: AttemptPaths,
  files: string[],
): Promise<KeptAttempt> {
  const refs = new Map<string, string>();
  for (const file of files) {
    try {
      refs.set(file, await store.keepFile(paths.key(file), file));
    } catch (err) {
      // A file the attempt did not get to write (claude never started, no result) is not a failure of the store.
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
  }
  return { refs, refOf: (file) => refs.get(file) ?? file };
}

/** What an attempt's failure says when the store failed it: retryable (the store, or another worker, may do better). */
export function unavailable(message: string, cause: unknown, details: AgentFailureDetails): ApplicationFailure {
  return ApplicationFailure.create({
    type: FailureType.ArtifactsUnavailable,
    message,
    nonRetryable: false,
    cause: cause instanceof Error ? cause : undefined,
    details: [details],
  });
}
