// `baton artifact <run> <task> [file]`: a task's files, from whichever store keeps them (a folder or S3). The default
// is the task's full result. It reads the store without asking Temporal (so it works after a run's history is
// gone); only when this folder's BATON_HOME has none of the task's files does it ask the run where they are, so it
// works from any folder.
import path from 'node:path';
import { taskKey } from '../../activities/artifact-paths.js';
import { LocalArtifactStore } from '../../artifacts/local-store.js';
import { openArtifactStore } from '../../artifacts/open-store.js';
import { isS3Ref, type ArtifactStore, type StoredFile } from '../../artifacts/store.js';
import type { Config } from '../../config/index.js';
import { isListening } from '../../client/embedded-server.js';
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
  const key = taskKey(options.runId, options.taskId);
  let store = openArtifactStore(config);
  let files = await store.list(key);
  if (files.length === 0 && store instanceof LocalArtifactStore) {
    const found = await storeOfRun(config, options.runId);
    if (found) {
      store = found;
      files = await store.list(key);
    }
  }
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
  const data = await store.read(chosen.ref);
  // A terminal's prompt must not start at the end of the text's last line.
  await write(data.length > 0 && data[data.length - 1] !== 0x0a ? Buffer.concat([data, Buffer.from('\n')]) : data);
  return 0;
}

/**
 * The local store holding the run's artifacts, as the run's status says (its tasks' absolute `artifactPath`):
 * `<artifacts>/<run>/<task>/g<n>/result.md`. Undefined when the run cannot tell: unknown, no task with a result
 * yet, kept in S3, or its embedded Temporal not running (asking would start one here).
 */
async function storeOfRun(config: Config, runId: string): Promise<ArtifactStore | undefined> {
  if (!config.temporal.address && !(await isListening('127.0.0.1', config.serverPort))) return undefined;
  const [{ openClient }, { getStatus }] = await Promise.all([import('../temporal.js'), import('../../client/runs.js')]);
  const { client, close } = await openClient(config);
  try {
    const status = await getStatus(client, runId).catch((err: unknown) => {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    });
    const result = status?.tasks.find((t) => t.artifactPath !== null && !isS3Ref(t.artifactPath))?.artifactPath;
    if (!result) return undefined;
    const artifacts = path.resolve(result, '..', '..', '..', '..');
    return new LocalArtifactStore({ artifacts, inputs: path.join(path.dirname(artifacts), 'inputs') });
  } finally {
    await close();
  }
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
