// Which Claude conversation a runAgent attempt has (DESIGN §5, §12): decided from the conversations themselves, never
// from the previous attempt's heartbeat (throttled, seconds stale) nor from attempt numbers (an operator's `temporal
// activity reset` starts again at 1). The generation's index (generation-files.ts) names the conversations its
// attempts had; the newest one that holds a model answer is continued — from this host's copy, another checkout's,
// or the store's, whichever holds the most — and otherwise the attempt starts a conversation of its own, under
// the workflow's id while nothing carries it yet, else a fresh one (claude refuses an id in use).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { ArtifactStore } from '../artifacts/store.js';
import type { AttemptPaths } from './artifact-paths.js';
import type { SessionMode } from './claude-args.js';
import type { GenerationFiles } from './generation-files.js';
import { modelAnswers, placeFile, sessionFiles, sessionFilesAnywhere, sizeOf } from './session-store.js';
import type { AttemptSession, RunAgentInput } from '../contract/agent.js';

export type AttemptStart = SessionMode & {
  record: AttemptSession;
  /** Model answers the conversation held before this attempt. */
  earlierTurns: number;
  /** Where claude keeps the conversation on this host (the one it resumes, or the one it starts). */
  file: string;
};

export interface SessionSources {
  input: RunAgentInput;
  attempt: number;
  /** claude's config folder on this host. */
  configDir: string;
  store: ArtifactStore;
  paths: AttemptPaths;
  files: GenerationFiles;
}

/** The conversation of this attempt; fetches it into place when claude would not find it here. */
export async function sessionFor(sources: SessionSources): Promise<AttemptStart> {
  const { input, configDir, files } = sources;
  const recorded = files.conversations.map((entry) => entry.sessionId).reverse();
  const known = [...new Set([...recorded, input.sessionId])];
  const traced = new Set<string>();
  let newest: { sessionId: string; why: string } | undefined;
  const fileOf = await sessionFiles(configDir, input.cwd);
  for (const sessionId of known) {
    const file = fileOf(sessionId);
    const bytes = await gather(sources, sessionId, file);
    if (bytes === undefined) {
      if (recorded.includes(sessionId)) {
        newest ??= {
          sessionId,
          why: `its conversation ${sessionId} is neither on this worker nor in ${sources.store.location}`,
        };
      }
      continue;
    }
    traced.add(sessionId);
    const answers = await modelAnswers(file);
    if (answers > 0) {
      const record: AttemptSession = { mode: 'resumed', sessionId, previousSessionId: sessionId };
      return { kind: 'resume', sessionId, record, earlierTurns: answers, file };
    }
    newest ??= { sessionId, why: `its conversation ${sessionId} holds no model answer: nothing to continue` };
  }
  // Nothing to continue: a conversation of this attempt's own, under an id no file carries.
  const fresh = !recorded.includes(input.sessionId) && !traced.has(input.sessionId);
  const sessionId = fresh ? input.sessionId : randomUUID();
  const file = fileOf(sessionId);
  const record: AttemptSession = { mode: 'new', sessionId };
  if (newest) Object.assign(record, { previousSessionId: newest.sessionId, notResumedBecause: newest.why });
  else if (sources.attempt > 1) record.notResumedBecause = 'no earlier attempt recorded a Claude conversation';
  return { kind: 'new', sessionId, record, earlierTurns: 0, file };
}

/**
 * Puts the largest copy of the conversation — this folder's, another project folder's on this host, or the
 * store's — where claude started in the task's cwd finds it; returns its size (undefined: there is none).
 */
async function gather(sources: SessionSources, sessionId: string, file: string): Promise<number | undefined> {
  let best: { bytes: number; place?: () => Promise<string> } | undefined;
  const here = await sizeOf(file);
  if (here !== undefined) best = { bytes: here };
  for (const other of await sessionFilesAnywhere(sources.configDir, sessionId)) {
    if (path.resolve(other) === path.resolve(file)) continue;
    const bytes = (await sizeOf(other)) ?? 0;
    if (!best || bytes > best.bytes) best = { bytes, place: () => Promise.resolve(other) };
  }
  const kept = sources.files.copies.get(sessionId);
  if (kept && (!best || kept.bytes > best.bytes)) {
    const download = sources.paths.conversationCopy(sessionId);
    best = { bytes: kept.bytes, place: () => sources.store.localCopy(kept.ref, download) };
  }
  if (best?.place) await placeFile(await best.place(), file);
  return best?.bytes;
}
