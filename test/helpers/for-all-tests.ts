// Resources shared by the tests of a file (or of a describe): opened before the first, closed after the last.
// The `let x; before(…); after(…)` triple that nearly every test file began with, said once.
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';

// At a file's top level, node:test starts each before() hook as it is registered, without waiting for the ones
// before it: resources are opened one after the other here, so that one may use another.
let opening: Promise<unknown> = Promise.resolve();

/**
 * `open()` runs in a `before` hook, `close` (default: the resource's own `close()`) in an `after` hook of the
 * file, or of the describe this is called in; resources open in the order of the calls, and close in it too.
 * What it returns stands for the resource: its fields and methods are the live one's once the tests run. Use it
 * in tests and in the `open` of a later forAllTests(), not in a plain top-level before() hook (that one does not
 * wait for it).
 */
export function forAllTests<T extends object>(
  open: () => Promise<T>,
  close: (resource: T) => Promise<unknown> = (resource) => closeOf(resource),
): T {
  let live: T | undefined;
  before(async () => {
    const opened = opening.then(open);
    opening = opened.catch(() => undefined);
    live = await opened;
  });
  after(async () => {
    if (live) await close(live);
  });
  const current = (): T => {
    if (!live) throw new Error('a resource of forAllTests() was used before it was opened (see its comment)');
    return live;
  };
  return new Proxy({} as T, {
    get(_, key) {
      const target = current();
      const value: unknown = Reflect.get(target, key);
      // Bound, so that methods relying on `this` (or private fields) see the live object, not the stand-in.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
    has: (_, key) => Reflect.has(current(), key),
  });
}

/** A temp folder (`<tmp>/<prefix>…`) for the tests of a file or describe: made at once, removed after them. */
export function tempFolderForAllTests(prefix: string): string {
  const folder = mkdtempSync(path.join(tmpdir(), prefix));
  after(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

async function closeOf(resource: object): Promise<void> {
  const close: unknown = Reflect.get(resource, 'close');
  if (typeof close !== 'function') throw new Error('forAllTests(): the resource has no close(); pass one');
  await (close as () => Promise<unknown>).call(resource);
}
