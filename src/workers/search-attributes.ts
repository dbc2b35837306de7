// DESIGN.md §8: at start the worker checks that baton's search attributes exist in its
// namespace, adds them where it may, and otherwise says which commands to run.
import type { Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import { ExitCode, ExitCodeError } from '../errors/exit-code.js';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes.js';

const IndexedValueType = proto.temporal.api.enums.v1.IndexedValueType;
const TYPES = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Bool: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
} as const;

/** The namespace lacks what baton needs and baton may not add it: like an unreachable Temporal, exit 3. */
export class SearchAttributesMissingError extends ExitCodeError {
  override name = 'SearchAttributesMissingError';
  readonly exitCode = ExitCode.TemporalUnavailable;
}

export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = new Set([
    ...Object.keys(existing.customAttributes ?? {}),
    ...Object.keys(existing.systemAttributes ?? {}),
  ]);
  const missing = Object.entries(SEARCH_ATTRIBUTES).filter(([name]) => !known.has(name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map(([name, type]) => [name, TYPES[type]])),
    });
    return missing.map(([name]) => name);
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
