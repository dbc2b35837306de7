// `baton codec-server`: Temporal's remote codec endpoint for the Web UI and the `temporal` CLI, so
// people who may call it read encrypted prompts and results, and the large payloads baton compresses
// (docs/DEPLOY.md, "Encryption").
import type { Config } from '../../config/index.js';
import { startCodecServer } from '../../codec/codec-server.js';
import { batonDataConverter, chainCodecs } from '../../codec/data-converter.js';
import { note } from '../temporal.js';

export interface CodecServerCommandOptions {
  port: number;
  host: string;
  /** Host header names it answers to besides loopback names and IP addresses. */
  allowedHosts?: string[];
}

export async function codecServerCommand(config: Config, options: CodecServerCommandOptions): Promise<number> {
  const { keys, codecServer } = config.encryption;
  const server = await startCodecServer({
    codec: chainCodecs(batonDataConverter(keys).payloadCodecs ?? []),
    host: options.host,
    port: options.port,
    corsOrigins: codecServer.corsOrigins,
    authToken: codecServer.authToken,
    allowedHosts: options.allowedHosts,
    onError: (message) => note(`codec-server: ${message}`),
  });
  note(
    `codec server on ${server.url} (POST /decode, /encode); ` +
      (keys
        ? `keys ${[...keys.byId.keys()].join(', ')}, encrypting with "${keys.current.id}"; `
        : 'no keys (BATON_ENCRYPTION_KEY[S] unset): it decodes compressed payloads, and refuses encrypted ones; ') +
      `${codecServer.authToken ? 'requires Authorization: Bearer <BATON_CODEC_AUTH_TOKEN>' : 'no auth token (BATON_CODEC_AUTH_TOKEN unset): anyone who reaches it can decrypt'}; ` +
      `browser origins: ${codecServer.corsOrigins.join(', ') || 'none (BATON_CODEC_CORS_ORIGINS unset)'}. Ctrl-C to stop.`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  return 0;
}
