// BATON_METRICS_PORT and BATON_METRICS_HOST, apart from the metrics themselves (./metrics.ts): every command
// reads its configuration, and only a worker needs the activity SDK that recording metrics takes.
import { z } from 'zod';
import { ConfigError } from '../client/config.js';

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

export function loadMetricsConfig(env: NodeJS.ProcessEnv): MetricsConfig {
  const parsed = MetricsEnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`bad environment: ${lines.join('; ')}`);
  }
  return { port: parsed.data.BATON_METRICS_PORT, host: parsed.data.BATON_METRICS_HOST };
}
