// A word between a command and the executable that runs it (./main.ts): this start is not one to keep V8's code
// cache from. The cache holds the functions a start compiled; `baton status` answered from a snapshot compiles
// little of what the same command needs when it asks Temporal, so its cache would serve that start poorly.
const SKIP = Symbol.for('baton.skip-code-cache');

export function skipCodeCache(): void {
  (globalThis as Record<symbol, unknown>)[SKIP] = true;
}

export function codeCacheSkipped(): boolean {
  return (globalThis as Record<symbol, unknown>)[SKIP] === true;
}
