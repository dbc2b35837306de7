// What the attempts of one run of a task (a generation: one Temporal activity, whatever its attempt numbers) leave
// in the artifact store for the attempts after them, on this host or another (DESIGN §12):
// - conversations.json: the Claude conversations they had, each recorded before its claude starts — how an attempt
//   finds the task's conversation without the previous attempt's heartbeat (throttled, seconds stale);
// - conversations/<id>.jsonl: copies of those conversations, kept as they grow (conversation-sync.ts);
// - completed.json: the answer of an attempt that completed, for when Temporal did not take it (an outage).
// One listing of the generation's folder finds them all.
import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { ArtifactStore, StoredFile } from '../artifacts/store.js';
import type { AttemptPaths } from './artifact-paths.js';
import type { RunAgentResult } from '../contract/agent.js';

const ConversationEntrySchema = z.object({
  sessionId: z.string().regex(/^[0-9a-f-]{36}$/i),
  attempt: z.number(),
  mode: z.enum(['new', 'resumed']),
  startedAt: z.string(),
  host: z.string(),
  cwd: z.string(),
  /** The fix round the attempt belonged to (DESIGN §11); absent: the agent's first run. */
  fixRound: z.number().optional(),
});
export type ConversationEntry = z.infer<typeof ConversationEntrySchema>;
const ConversationIndexSchema = z.object({ conversations: z.array(ConversationEntrySchema) });

export interface GenerationFiles {
  /** The conversations the generation's attempts had, oldest first. */
  conversations: ConversationEntry[];
  /** Kept copies of conversation files, by session id. */
  copies: Map<string, StoredFile>;
  /** The answer of an attempt that completed. */
  completed?: StoredFile;
}

/** The generation's files in the store (ArtifactStoreError when it cannot be read). */
export async function generationFiles(store: ArtifactStore, paths: AttemptPaths): Promise<GenerationFiles> {
  const files: GenerationFiles = { conversations: [], copies: new Map() };
  for (const file of await store.list(paths.dirKey)) {
    const copy = /^conversations\/([0-9a-f-]{36})\.jsonl$/i.exec(file.name);
    if (copy) files.copies.set(copy[1]!, file);
    else if (file.name === path.basename(paths.completed)) files.completed = file;
    else if (file.name === 'conversations.json') files.conversations = await readIndex(store, file);
  }
  return files;
}

async function readIndex(store: ArtifactStore, file: StoredFile): Promise<ConversationEntry[]> {
  const text = (await store.read(file.ref)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return []; // a local write cut by a kill: the conversation files themselves are still looked for
  }
  const parsed = ConversationIndexSchema.safeParse(json);
  return parsed.success ? parsed.data.conversations : [];
}

/** Adds the conversation an attempt is about to have to the generation's index. */
export async function recordConversation(
  store: ArtifactStore,
  paths: AttemptPaths,
  earlier: ConversationEntry[],
  entry: Omit<ConversationEntry, 'startedAt' | 'host' | 'fixRound'> & { fixRound?: number },
): Promise<void> {
  const conversations = [...earlier, { ...entry, startedAt: new Date().toISOString(), host: hostname() }];
  await store.putText(paths.key(paths.conversations), `${JSON.stringify({ conversations }, null, 2)}\n`);
}

/** Keeps the answer a completed attempt gives Temporal, so that a later attempt can give it again. */
export async function keepCompleted(store: ArtifactStore, paths: AttemptPaths, result: RunAgentResult): Promise<void> {
  await store.putText(paths.key(paths.completed), JSON.stringify(result));
}

/** The kept answer of a completed attempt; undefined when it cannot be read as one. */
export async function readCompleted(store: ArtifactStore, file: StoredFile): Promise<RunAgentResult | undefined> {
  const text = (await store.read(file.ref)).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined; // a local write cut by a kill
  }
  const result = json as Partial<RunAgentResult> | null;
  const complete =
    typeof result === 'object' &&
    result !== null &&
    typeof result.text === 'string' &&
    typeof result.sessionId === 'string' &&
    typeof result.artifactPath === 'string' &&
    typeof result.attempt === 'number';
  return complete ? (result as RunAgentResult) : undefined;
}
