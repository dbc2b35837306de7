// BATON_METRICS_PORT and BATON_METRICS_HOST, apart from the metrics themselves (src/workers/metrics.ts): every
// command reads its configuration, and only a worker needs the activity SDK that recording metrics takes.
import { z } from 'zod';
import { parseEnv, type Env } from './env.js';

const MetricsEnvSchema = z.object({
  BATON_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  BATON_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
});

export interface MetricsConfig {
  /** Undefined: no metrics endpoint. */
  port: number | undefined;
  /** Interface the endpoint binds (0.0.0.0 in a container). */
  host: string;
}

export function loadMetricsConfig(env: Env): MetricsConfig {
  const e = parseEnv(MetricsEnvSchema, env);
  return { port: e.BATON_METRICS_PORT, host: e.BATON_METRICS_HOST };
}
