// Commands' functions, their modules loaded on first use: `baton validate` needs no Temporal SDK.

/** `name` of the module `load` imports, as a function that loads it when first called. */
export function lazy<M, K extends keyof M>(load: () => Promise<M>, name: K): M[K] {
  return (async (...args: unknown[]) => ((await load())[name] as (...a: unknown[]) => unknown)(...args)) as M[K];
}
