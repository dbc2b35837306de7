// `baton server [stop]`: the embedded Temporal dev server (DESIGN.md §8).
import type { Config } from '../../config/index.js';
import { ensureEmbeddedServer, stopEmbeddedServer } from '../../client/embedded-server.js';
import { BadInputError } from '../../client/errors.js';
import { note } from '../temporal.js';

export async function serverCommand(config: Config, options: { action?: string }): Promise<number> {
  if (config.temporal.address) {
    throw new BadInputError(
      `${config.temporal.addressFrom ?? 'TEMPORAL_ADDRESS'} gives the address ${config.temporal.address}: baton uses that server and starts none; unset it to use the embedded one`,
    );
  }
  if (options.action === 'stop') {
    const stopped = await stopEmbeddedServer(config);
    note(stopped ? 'stopped the embedded Temporal dev server' : `no embedded server was running for ${config.home}`);
    return 0;
  }
  if (options.action !== undefined && options.action !== 'start') {
    throw new BadInputError(`unknown server action "${options.action}": use \`baton server\` or \`baton server stop\``);
  }
  const server = await ensureEmbeddedServer(config, note);
  process.stdout.write(
    `${server.started ? 'Started' : 'Already running:'} Temporal dev server at ${server.address} (pid ${server.pid}), database in ${config.home}\n` +
      `Web UI: ${server.uiUrl}\nLog: ${server.logFile}\nStop it with \`baton server stop\`.\n`,
  );
  return 0;
}
