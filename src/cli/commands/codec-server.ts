// `baton codec-server`: Temporal's remote codec endpoint for the Web UI and the `temporal` CLI, so
// people who may call it read encrypted prompts and results (docs/DEPLOY.md, "Encryption").
import type { Config } from '../../client/config.js';
import { BadInputError } from '../../client/errors.js';
import { AesGcmCodec } from '../../codec/aes-gcm-codec.js';
import { startCodecServer } from '../../codec/codec-server.js';
import { note } from '../temporal.js';

export interface CodecServerCommandOptions {
  port: number;
  host: string;
}

export async function codecServerCommand(config: Config, options: CodecServerCommandOptions): Promise<number> {
  const { keys, codecServer } = config.encryption;
  if (!keys) {
    throw new BadInputError(
      'the codec server needs the encryption keys: set BATON_ENCRYPTION_KEY or BATON_ENCRYPTION_KEYS as the workers have them',
    );
  }
  const server = await startCodecServer({
    codec: new AesGcmCodec(keys),
    host: options.host,
    port: options.port,
    corsOrigins: codecServer.corsOrigins,
    authToken: codecServer.authToken,
    onError: (message) => note(`codec-server: ${message}`),
  });
  note(
    `codec server on ${server.url} (POST /decode, /encode); keys ${[...keys.byId.keys()].join(', ')}, encrypting with "${keys.current.id}"; ` +
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
