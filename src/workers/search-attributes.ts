// DESIGN.md §8: at start the worker checks that baton's search attributes exist in its
// namespace, adds them where it may, and otherwise says which commands to run.
import { isGrpcServiceError, type Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { ExitCode, ExitCodeError } from '../errors/exit-code.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;
const TYPES = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
} as const;

/** gRPC's status code for a request the server refuses as invalid (here: a query naming unknown attributes). */
const INVALID_ARGUMENT = 3;
/** Temporal's default `system.namespaceCacheRefreshInterval`: how often each service reloads its namespaces. */
export const NAMESPACE_REFRESH_MS = 2_000;

/** The namespace lacks what baton needs and baton may not add it: like an unreachable Temporal, exit 3. */
export class SearchAttributesMissingError extends ExitCodeError {
  override name = 'SearchAttributesMissingError';
  readonly exitCode = ExitCode.TemporalUnavailable;
}

export interface EnsureOptions {
  /** How long to wait for the server to accept the attributes before going on regardless (default 30 s). */
  usableTimeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Makes sure baton's search attributes exist in `namespace` and are usable; returns the names it added. */
export async function ensureSearchAttributes(
  connection: Connection,
  namespace: string,
  options: EnsureOptions = {},
): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([
    ...Object.keys(existing.customAttributes ?? {}),
    ...Object.keys(existing.systemAttributes ?? {}),
  ]);
  const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !known.has(name));
  if (missing.length > 0) await addSearchAttributes(connection, namespace, missing);
  // Also when they existed: another worker or Compose's setup job may have added them a moment ago.
  await waitUntilUsable(connection, namespace, options);
  return missing.map(([name]) => name);
}

/**
 * A server with SQL visibility (PostgreSQL, MySQL, SQLite) keeps custom search attributes as aliases in the
 * namespace, and each service reads them from its own namespace cache: until the history service has reloaded
 * it, a workflow task that sets them fails with BadSearchAttributes (Temporal retries it, 10 s later). Listing
 * them reads the database, so it cannot tell; a query naming them goes through the frontend's cache. Once the
 * frontend accepts one, the other services reload within one more refresh interval. A refusal of another kind
 * (no rights to list workflows) leaves nothing to wait for.
 */
async function waitUntilUsable(connection: Connection, namespace: string, options: EnsureOptions): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const query = Object.entries(SEARCH_ATTRIBUTES)
    .map(([name, type]) => `${name} = ${type === 'Bool' ? 'false' : "'baton'"}`)
    .join(' AND ');
  let waitedMs = 0;
  for (;;) {
    try {
      await connection.workflowService.countWorkflowExecutions({ namespace, query });
      break;
    } catch (err) {
      const unknownYet = isGrpcServiceError(err) && err.code === INVALID_ARGUMENT;
      if (!unknownYet || waitedMs >= (options.usableTimeoutMs ?? 30_000)) return;
      await sleep(200);
      waitedMs += 200;
    }
  }
  if (waitedMs > 0) await sleep(NAMESPACE_REFRESH_MS);
}

async function addSearchAttributes(
  connection: Connection,
  namespace: string,
  missing: Array<[string, keyof typeof TYPES]>,
): Promise<void> {
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, TYPES[type]])),
    });
  } catch (err) {
    const commands = missing
      .map(
        ([name, type]) =>
          `  temporal operator search-attribute create --namespace ${namespace} --name ${name} --type ${type}`,
      )
      .join('\n');
    throw new SearchAttributesMissingError(
      `baton needs search attributes that namespace ${namespace} lacks, and could not add them (${(err as Error).message}). Run:\n${commands}`,
    );
  }
}
