// Tracing settings from the environment, parsed with the rest of baton's configuration (./index.ts); tracing itself
// is src/tracing.
// Off unless an OTLP/HTTP endpoint is named: BATON_OTEL_ENDPOINT, or OpenTelemetry's own variables, so a
// cluster whose collector is announced the standard way needs nothing baton-specific.
import { z } from 'zod';
import { ConfigError, emptyAsUnset as optional, parseEnv, type Env } from './env.js';

const TracingEnvSchema = z.object({
  BATON_OTEL_ENDPOINT: optional(z.string()),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optional(z.string()),
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(z.string()),
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: optional(z.string()),
  OTEL_EXPORTER_OTLP_PROTOCOL: optional(z.string()),
  OTEL_SDK_DISABLED: optional(z.string()),
});

export interface TracingConfig {
  /** Where spans are POSTed (OTLP/HTTP, `…/v1/traces`); undefined: tracing is off. */
  url: string | undefined;
}

/** The path OTLP/HTTP receivers (the Collector, Jaeger, Tempo…) take traces on, below their base URL. */
const TRACES_PATH = 'v1/traces';

export function loadTracingConfig(env: Env): TracingConfig {
  const e = parseEnv(TracingEnvSchema, env);
  if (e.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { url: undefined };
  let url: string | undefined;
  if (e.BATON_OTEL_ENDPOINT !== undefined) {
    url = tracesUrl('BATON_OTEL_ENDPOINT', e.BATON_OTEL_ENDPOINT, { base: true });
  } else if (e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT !== undefined) {
    // OpenTelemetry's rule: the signal-specific variable is the full URL, used as it is.
    url = tracesUrl('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, { base: false });
  } else if (e.OTEL_EXPORTER_OTLP_ENDPOINT !== undefined) {
    url = tracesUrl('OTEL_EXPORTER_OTLP_ENDPOINT', e.OTEL_EXPORTER_OTLP_ENDPOINT, { base: true });
  }
  if (url === undefined) return { url };
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'] as const) {
    if (e[name]?.trim().toLowerCase() === 'grpc') {
      throw new ConfigError(
        `${name}=grpc: baton exports traces over OTLP/HTTP only; point it at the receiver's HTTP port (4318 by default) and unset ${name} or set it to http/json`,
      );
    }
  }
  return { url };
}

/** An http(s) URL; a base URL gets `/v1/traces` appended unless it already ends with it. */
function tracesUrl(name: string, value: string, { base }: { base: boolean }): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConfigError(`${name}: "${value}" is not a URL; use the OTLP/HTTP receiver's, e.g. http://localhost:4318`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConfigError(
      `${name}: "${value}" is not an http(s) URL; baton exports traces over OTLP/HTTP, e.g. http://localhost:4318`,
    );
  }
  if (!base || url.pathname.replace(/\/+$/, '').endsWith(`/${TRACES_PATH}`)) return url.href;
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return new URL(TRACES_PATH, url).href;
}
