// Reading fake-model scripts from JSON files (`--script file.json`): `{ "<task key>": TaskScript, … }`.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import type { TaskScript, Turn } from './fake-model.js';

const TurnSchema = z.union([
  z.strictObject({ text: z.string() }),
  z.strictObject({ write: z.strictObject({ path: z.string().min(1), content: z.string() }) }),
  z.strictObject({ bash: z.string().min(1) }),
  z.strictObject({ toolUse: z.strictObject({ name: z.string().min(1), input: z.record(z.string(), z.unknown()) }) }),
]);

export const TaskScriptSchema = z.strictObject({
  failFirst: z
    .array(z.strictObject({ status: z.number().int().min(400).max(599), message: z.string().optional() }))
    .optional(),
  turns: z.array(TurnSchema).optional(),
  delayMs: z.number().int().nonnegative().optional(),
  hang: z.boolean().optional(),
});

export const ScriptFileSchema = z.record(z.string(), TaskScriptSchema);
export type ScriptFile = z.infer<typeof ScriptFileSchema>;

// The schema and the hand-written types must not drift apart.
const _turnMatches: (turn: z.infer<typeof TurnSchema>) => Turn = (turn) => turn;
const _scriptMatches: (script: z.infer<typeof TaskScriptSchema>) => TaskScript = (script) => script;

export class ScriptFileError extends Error {
  override readonly name = 'ScriptFileError';
}

export async function loadScriptFile(path: string): Promise<Record<string, TaskScript>> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new ScriptFileError(`Cannot read script file ${path}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  const parsed = ScriptFileSchema.safeParse(data);
  if (!parsed.success) throw new ScriptFileError(`Invalid script file ${path}:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
