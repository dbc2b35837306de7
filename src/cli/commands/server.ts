// `baton server [start|stop|status]`: the embedded Temporal dev server (DESIGN.md §8).
import type { Config } from '../../config/index.js';
import { embeddedServerStatus, ensureEmbeddedServer, stopEmbeddedServer } from '../../client/embedded-server.js';
import { BadInputError } from '../../client/errors.js';
import { note } from '../temporal.js';

export interface ServerOptions {
  action?: string;
  /** `status`: print JSON. */
  json?: boolean;
}

export async function serverCommand(config: Config, options: ServerOptions): Promise<number> {
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
  if (options.action === 'status') return await printServerStatus(config, options.json === true);
  if (options.action !== undefined && options.action !== 'start') {
    throw new BadInputError(
      `unknown server action "${options.action}": use \`baton server\` (start), \`baton server status\` or \`baton server stop\``,
    );
  }
  const server = await ensureEmbeddedServer(config, note);
  process.stdout.write(
    `${server.started ? 'Started' : 'Already running:'} Temporal dev server at ${server.address} (pid ${server.pid}), database in ${config.home}\n` +
      `Web UI: ${server.uiUrl}\nLog: ${server.logFile}\nStop it with \`baton server stop\`.\n`,
  );
  return 0;
}

/** Exit 0 when the embedded server answers, 1 when it does not (so scripts can test it). */
async function printServerStatus(config: Config, json: boolean): Promise<number> {
  const status = await embeddedServerStatus(config);
  if (json) {
    process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
  } else if (status.running) {
    const who =
      status.pid !== null
        ? `pid ${status.pid}, started for BATON_HOME ${status.home}`
        : `not started from BATON_HOME ${status.home}, but baton uses whatever answers there`;
    process.stdout.write(
      `The embedded Temporal dev server runs at ${status.address} (${who}).\nWeb UI: ${status.uiUrl}\n` +
        (status.pid !== null ? `Log: ${status.logFile}\nStop it with \`baton server stop\`.\n` : ''),
    );
  } else {
    process.stdout.write(
      `No embedded Temporal dev server runs at ${status.address}. \`baton server\` starts one (so do \`baton run\` and \`baton start\`).\n`,
    );
  }
  return status.running ? 0 : 1;
}
