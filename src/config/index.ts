// baton's configuration (DESIGN.md §6): loadConfig, the one entry, parses the environment once at each entry point
// (the CLI, the status bundle, tests) and the result is passed down; nothing deeper reads process.env. Each
// concern parses its own variables in its own file here (./env.ts: how), so this only composes them.
import path from 'node:path';
import { z } from 'zod';
import { TaskQueueSchema } from '../plan/schema.js';
import { loadArtifactsConfig, type ArtifactsConfig } from './artifacts.js';
import { loadEncryptionConfig, type EncryptionConfig } from './encryption.js';
import { emptyAsUnset, parseEnv, type Env } from './env.js';
import { loadMetricsConfig, type MetricsConfig } from './metrics.js';
import { loadNotifyCommand } from './notify.js';
import { loadPolicySettings, type PolicySettings } from './policy.js';
import { loadTemporalSettings, type TemporalSettings } from './temporal.js';
import { loadTracingConfig, type TracingConfig } from './tracing.js';
import { WORKER_MEMORY_MODES, type WorkerMemory } from './worker-memory.js';

export { ConfigError, type Env } from './env.js';
export { WORKER_MEMORY_MODES } from './worker-memory.js';

/** More claudes started ahead than this is a typo, not a setting: each takes ~150–250 MB (the pool bounds them too). */
export const MAX_WARM_AGENTS = 256;

// baton's own state, its workers' defaults and the embedded dev server (DESIGN.md §8).
const BatonEnvSchema = z.object({
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  BATON_TASK_QUEUE: TaskQueueSchema.default('baton'),
  BATON_CLAUDE_BIN: z.string().min(1).optional(),
  BATON_HOME: z.string().min(1).default('.baton'),
  BATON_SERVER_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  BATON_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  BATON_UI_URL: z.string().min(1).optional(),
  // Claudes a worker starts ahead of their task at most at once (DESIGN §5 warm agents); `--warm-agents` overrides it.
  BATON_WARM_AGENTS: emptyAsUnset(
    z
      .string()
      .regex(/^\d{1,9}$/, { error: 'must be a whole number, 0 or more' })
      .transform(Number)
      .pipe(z.number().max(MAX_WARM_AGENTS, { error: `must be at most ${MAX_WARM_AGENTS}` })),
  ),
  // How a worker's V8 heap trades memory for CPU (src/workers/worker.ts, workerV8Flags); `baton worker --memory` overrides it.
  BATON_WORKER_MEMORY: emptyAsUnset(
    z.enum(WORKER_MEMORY_MODES, { error: `must be ${WORKER_MEMORY_MODES.join(' or ')}` }),
  ),
});

export interface Config {
  /** How to reach Temporal: the environment over a Temporal config file profile (./temporal.ts). */
  temporal: TemporalSettings;
  taskQueue: string;
  /** The `claude` binary: BATON_CLAUDE_BIN, else `claude` on PATH. */
  claudeBin: string;
  /** Absolute folder of baton's state. */
  home: string;
  /** The local artifacts folder: the store itself by default, else where workers write before uploading. */
  artifactsDir: string;
  /** Where prompts too large for Temporal's history go when the store is local (BATON_HOME/inputs). */
  inputsDir: string;
  /** Where artifacts are kept for every worker and person to read (BATON_ARTIFACTS; unset: artifactsDir). */
  artifacts: ArtifactsConfig;
  temporalCliPath: string | undefined;
  serverPort: number;
  uiPort: number;
  /** Base URL of the Temporal Web UI, when known. */
  uiUrl: string | undefined;
  /** A worker's warm agents at most at once (BATON_WARM_AGENTS); unset: the worker's default. */
  warmAgents: number | undefined;
  /** How a worker's heap trades memory for CPU (BATON_WORKER_MEMORY); unset: the worker's default, `small`. */
  workerMemory: WorkerMemory | undefined;
  /** Run when a run starts waiting on a person, the event as JSON on stdin (BATON_NOTIFY_CMD). */
  notifyCommand: string[] | undefined;
  /** Payload encryption and the codec server (BATON_ENCRYPTION_KEY[S], BATON_CODEC_*). */
  encryption: EncryptionConfig;
  /** The worker's Prometheus endpoint (BATON_METRICS_PORT, BATON_METRICS_HOST); off by default. */
  metrics: MetricsConfig;
  /** OpenTelemetry tracing over OTLP/HTTP (BATON_OTEL_ENDPOINT, or OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT); off by default. */
  tracing: TracingConfig;
  /** The folders executables are looked for in (PATH), for `claude` and `temporal`. */
  searchPath: string;
  /** What a worker lets plans do, as the environment says (BATON_ALLOW_BYPASS, BATON_WORKSPACE_ROOTS, BATON_AGENT_ENV). */
  policy: PolicySettings;
  /** The folder baton was started in (absolute): a worker's default workspace root. */
  cwd: string;
}

/** The whole configuration, or a ConfigError naming the first setting that is wrong; `cwd` resolves BATON_HOME. */
export function loadConfig(env: Env, cwd: string): Config {
  const e = parseEnv(BatonEnvSchema, env);
  const home = path.resolve(cwd, e.BATON_HOME);
  const temporal = loadTemporalSettings(env);
  return {
    temporal,
    taskQueue: e.BATON_TASK_QUEUE,
    claudeBin: e.BATON_CLAUDE_BIN ?? 'claude',
    home,
    artifactsDir: path.join(home, 'artifacts'),
    inputsDir: path.join(home, 'inputs'),
    artifacts: loadArtifactsConfig(env),
    temporalCliPath: e.TEMPORAL_CLI_PATH,
    serverPort: e.BATON_SERVER_PORT,
    uiPort: e.BATON_UI_PORT,
    notifyCommand: loadNotifyCommand(env),
    uiUrl: e.BATON_UI_URL ?? (temporal.address ? undefined : `http://127.0.0.1:${e.BATON_UI_PORT}`),
    warmAgents: e.BATON_WARM_AGENTS,
    workerMemory: e.BATON_WORKER_MEMORY,
    encryption: loadEncryptionConfig(env),
    metrics: loadMetricsConfig(env),
    tracing: loadTracingConfig(env),
    searchPath: env.PATH ?? '',
    policy: loadPolicySettings(env, cwd),
    cwd: path.resolve(cwd),
  };
}
