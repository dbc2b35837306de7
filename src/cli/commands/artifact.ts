// `baton artifact <run> <task> [file]`: a task's files, from whichever store keeps them (a folder or S3), without
// asking Temporal (so it works after a run's history is gone). The default is the task's full result.
import { taskKey } from '../../activities/artifact-paths.js';
import { openArtifactStore } from '../../artifacts/open-store.js';
import type { StoredFile } from '../../artifacts/store.js';
import type { Config } from '../../config/index.js';
import { NotFoundError } from '../../client/errors.js';

export interface ArtifactOptions {
  runId: string;
  taskId: string;
  /** A file as `--list` names it (`g2/attempt-1.jsonl`); without `g<n>/`, the latest generation's. Default result.md. */
  file?: string;
  /** Print the task's files instead of one of them. */
  list?: boolean;
  json?: boolean;
}

export async function artifactCommand(config: Config, options: ArtifactOptions): Promise<number> {
  const store = openArtifactStore(config);
  const files = await store.list(taskKey(options.runId, options.taskId));
  if (files.length === 0) {
    throw new NotFoundError(
      `no artifacts of task ${options.taskId} of run ${options.runId} in ${store.location} (BATON_ARTIFACTS, else BATON_HOME, says where to look)`,
    );
  }
  if (options.list) {
    const text = options.json
      ? `${JSON.stringify(files, null, 2)}\n`
      : files.map((f) => `${f.name.padEnd(32)} ${String(f.bytes).padStart(10)}  ${f.ref}`).join('\n') + '\n';
    await write(text);
    return 0;
  }
  const chosen = pickArtifact(files, options.file ?? 'result.md');
  if (!chosen) {
    const what = options.file ?? 'a result (no attempt of it has succeeded)';
    throw new NotFoundError(
      `task ${options.taskId} of run ${options.runId} has no ${what}; its files: ${files.map((f) => f.name).join(', ')}`,
    );
  }
  await write(await store.read(chosen.ref));
  return 0;
}

/**
 * The file `name` names: `g<n>/…` exactly, else that file of the latest generation that has it (a person's retry
 * starts a generation; one that failed has no result.md, so `result.md` is the latest successful result).
 */
export function pickArtifact(files: StoredFile[], name: string): StoredFile | undefined {
  const wanted = name.replace(/^\/+/, '');
  if (/^g\d+\//.test(wanted)) return files.find((f) => f.name === wanted);
  let best: { file: StoredFile; generation: number } | undefined;
  for (const file of files) {
    const match = /^g(\d+)\/(.+)$/.exec(file.name);
    if (!match || match[2] !== wanted) continue;
    const generation = Number(match[1]);
    if (!best || generation > best.generation) best = { file, generation };
  }
  return best?.file;
}

/** Resolves once stdout has taken it all: the CLI exits soon after, and a pipe must not lose the end. */
function write(data: string | Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => process.stdout.write(data, (err) => (err ? reject(err) : resolve())));
}
