// Where Temporal is for a command, and links into its Web UI. No Temporal SDK here: `baton status` may answer
// from a run's snapshot without loading one (src/snapshot/reader.ts).
import type { Config } from '../config/index.js';
import { ensureEmbeddedServer } from './embedded-server.js';

export interface Target {
  address: string;
  namespace: string;
  uiUrl: string | undefined;
  embedded: boolean;
  /** Where the address came from (TEMPORAL_ADDRESS or a config file profile); undefined when embedded. */
  addressFrom?: string;
}

/** Where Temporal is: TEMPORAL_ADDRESS or a profile's address, else the embedded dev server (started if needed). */
export async function resolveTarget(config: Config, onProgress?: (message: string) => void): Promise<Target> {
  if (config.temporal.address) {
    return {
      address: config.temporal.address,
      namespace: config.temporal.namespace,
      uiUrl: config.uiUrl,
      embedded: false,
      addressFrom: config.temporal.addressFrom,
    };
  }
  const server = await ensureEmbeddedServer(config, onProgress);
  return { address: server.address, namespace: config.temporal.namespace, uiUrl: server.uiUrl, embedded: true };
}

/** A link to a run in the Web UI. */
export function runUrl(target: Target, workflowId: string): string | undefined {
  if (!target.uiUrl) return undefined;
  return `${target.uiUrl}/namespaces/${encodeURIComponent(target.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** A link to the Web UI's list of workflows, filtered by a visibility query (`baton list --waiting`'s). */
export function listUrl(target: Target, query: string): string | undefined {
  if (!target.uiUrl) return undefined;
  return `${target.uiUrl}/namespaces/${encodeURIComponent(target.namespace)}/workflows?query=${encodeURIComponent(query)}`;
}
