#!/usr/bin/env node
// The `baton` executable. The command itself is ./program.ts; `npm run build` also bundles it into one file,
// dist/cli/baton.cjs (scripts/bundle-cli.js), and this runs that bundle: loading and linking its modules one by
// one (the Temporal client's protobuf descriptors and gRPC among them) took most of a short command's time
// (docs/BENCHMARKS.md has the figures). V8's code cache of the bundle spares compiling it
// again: one per command, written beside the bundle after the command's first typical success (./code-cache.ts)
// — where the code itself lies, so that nobody who could not change baton's code can change its cache; skipped
// where that folder cannot be written. Without a bundle (a build that skipped it), the modules run as they are.
// `baton status <run> [--json]` first tries a bundle of its own, which answers from the run's status snapshot
// without loading the rest (../cli/snapshot-status.ts).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { codeCacheSkipped } from './code-cache.js';

const BUNDLE = fileURLToPath(new URL('../../cli/baton.cjs', import.meta.url));
const STATUS_BUNDLE = fileURLToPath(new URL('../../cli/status-snapshot.cjs', import.meta.url));

/** Commands that run a worker set V8 flags as they start (see src/workers/worker.ts): a cache they wrote would
 *  not match the next start's flags. They run for minutes anyway. */
const UNCACHED_COMMANDS = new Set(['run', 'worker']);

type CommonJsMain = (
  exports: unknown,
  require: NodeJS.Require,
  module: { exports: unknown },
  filename: string,
  dirname: string,
) => void;

/** Runs a CommonJS bundle with its code cache (`cacheName`: one per command); returns its exports. */
function runBundle(file: string, cacheName: string | undefined): unknown {
  const cacheFile = cacheName && codeCacheFile(file, cacheName);
  const cached = cacheFile ? readIfPresent(cacheFile) : undefined;
  const source = readFileSync(file, 'utf8');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData: cached,
  });
  if (cacheFile && (!cached || script.cachedDataRejected)) {
    // At exit the cache holds every function the command compiled, not only the top level.
    process.once('exit', (code) => {
      if (code === 0 && !codeCacheSkipped()) writeCodeCache(cacheFile, script);
    });
  }
  const module = { exports: {} };
  (script.runInThisContext() as CommonJsMain)(module.exports, createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

/** The command's name, when its start is one to keep a code cache of. */
function cacheableCommand(): string | undefined {
  const command = process.argv[2] ?? '';
  return /^[a-z][a-z-]{0,30}$/.test(command) && !UNCACHED_COMMANDS.has(command) ? command : undefined;
}

function codeCacheFile(bundle: string, name: string): string {
  return path.join(path.dirname(bundle), 'code-cache', `${process.version}-${process.arch}-${name}.bin`);
}

function readIfPresent(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writeCodeCache(file: string, script: vm.Script): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    // Whole files only: commands that start together each write their own and rename it into place.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, script.createCachedData());
    renameSync(temporary, file);
  } catch {
    // A folder that cannot be written (a system-wide install): the command just compiles the bundle each time.
  }
}

type StatusBundle = { statusFromSnapshot(args: string[]): Promise<number | undefined> };

async function answeredFromSnapshot(): Promise<boolean> {
  if (process.argv[2] !== 'status' || !existsSync(STATUS_BUNDLE)) return false;
  const { statusFromSnapshot } = runBundle(STATUS_BUNDLE, 'status-snapshot') as StatusBundle;
  const code = await statusFromSnapshot(process.argv.slice(2));
  if (code === undefined) return false;
  process.exitCode = code;
  return true;
}

if (!(await answeredFromSnapshot())) {
  if (existsSync(BUNDLE)) runBundle(BUNDLE, cacheableCommand());
  else await import('./program.js');
}
