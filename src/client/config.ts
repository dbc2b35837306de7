// Configuration from the environment (DESIGN.md §6), parsed once at each entry point and passed down. How to
// reach Temporal may also come from a Temporal config file profile (temporal-settings.ts).
import path from 'node:path';
import { z } from 'zod';
import { loadArtifactsConfig, type ArtifactsConfig } from '../artifacts/config.js';
import { parseNotifyCommand } from '../activities/notify-command.js';
import { loadEncryptionConfig, type EncryptionConfig } from '../codec/config.js';
import { TaskQueueSchema } from '../plan/schema.js';
import { loadTracingConfig, type TracingConfig } from '../tracing/config.js';
import { loadMetricsConfig, type MetricsConfig } from '../workers/metrics-config.js';
import { loadTemporalSettings, type TemporalSettings } from './temporal-settings.js';

const EnvSchema = z.object({
  TEMPORAL_ADDRESS: z.string().min(1).optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).optional(),
  TEMPORAL_API_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CERT: z.string().min(1).optional(),
  TEMPORAL_TLS_KEY: z.string().min(1).optional(),
  TEMPORAL_TLS_CA: z.string().min(1).optional(),
  TEMPORAL_PROFILE: z.string().min(1).optional(),
  TEMPORAL_CONFIG_FILE: z.string().min(1).optional(),
  TEMPORAL_CLI_PATH: z.string().min(1).optional(),
  BATON_TASK_QUEUE: TaskQueueSchema.default('baton'),
  BATON_CLAUDE_BIN: z.string().min(1).optional(),
  BATON_HOME: z.string().min(1).default('.baton'),
  BATON_SERVER_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  BATON_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  BATON_UI_URL: z.string().min(1).optional(),
  BATON_NOTIFY_CMD: z.string().optional(),
});

export interface Config {
  /** How to reach Temporal: the environment over a Temporal config file profile (temporal-settings.ts). */
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
  /** Run when a run starts waiting on a person, the event as JSON on stdin (BATON_NOTIFY_CMD). */
  notifyCommand: string[] | undefined;
  /** Payload encryption and the codec server (BATON_ENCRYPTION_KEY[S], BATON_CODEC_*). */
  encryption: EncryptionConfig;
  /** The worker's Prometheus endpoint (BATON_METRICS_PORT, BATON_METRICS_HOST); off by default. */
  metrics: MetricsConfig;
  /** OpenTelemetry tracing over OTLP/HTTP (BATON_OTEL_ENDPOINT, or OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT); off by default. */
  tracing: TracingConfig;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`bad environment: ${lines.join('; ')}`);
  }
  const e = parsed.data;
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
    notifyCommand: notifyCommandOf(e.BATON_NOTIFY_CMD),
    uiUrl: e.BATON_UI_URL ?? (temporal.address ? undefined : `http://127.0.0.1:${e.BATON_UI_PORT}`),
    encryption: loadEncryptionConfig(env),
    metrics: loadMetricsConfig(env),
    tracing: loadTracingConfig(env),
  };
}

function notifyCommandOf(value: string | undefined): string[] | undefined {
  try {
    return parseNotifyCommand(value);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}
