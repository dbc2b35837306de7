// Bundle the `baton` command (dist/src/cli/program.js and everything it loads) into one CommonJS file,
// dist/cli/baton.cjs, which src/cli/main.ts runs with V8's code cache: see there for why. And, apart, what
// `baton status <run>` needs to answer from a status snapshot (src/cli/snapshot-status.ts): dist/cli/status-snapshot.cjs.
// Left out, and loaded from node_modules as before: the worker's SDK (native code; its activity context must be
// the one the worker's own copy sets) and what only some runs need (S3, OpenTelemetry).
import { chmod, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const cliDir = path.join(dist, 'cli');

const EXTERNAL = [
  '@temporalio/worker',
  '@temporalio/core-bridge',
  '@temporalio/activity',
  '@temporalio/workflow',
  '@temporalio/testing',
  '@temporalio/interceptors-opentelemetry',
  '@opentelemetry/*',
  '@aws-sdk/*',
  '@swc/*',
  'webpack',
];

/**
 * baton's modules find files beside them (the workflow bundles, the launcher, prompts) from `import.meta.url`:
 * in the bundle each keeps its own, as a path from the bundle to where the module was compiled.
 */
const ownUrls = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]src[\\/].*\.js$/ }, async ({ path: file }) => {
      const relative = path.relative(cliDir, file).split(path.sep).join('/');
      const contents = (await readFile(file, 'utf8')).replaceAll(
        'import.meta.url',
        `new URL(${JSON.stringify(relative)}, __bundleUrl).href`,
      );
      return { contents, loader: 'js' };
    });
  },
};

/** Bundles one module of dist/src/cli into dist/cli/<name>.cjs; prints its size. */
async function bundle(entry, name) {
  const outfile = path.join(cliDir, `${name}.cjs`);
  const result = await build({
    entryPoints: [path.join(dist, 'src', 'cli', entry)],
    outfile,
    ...OPTIONS,
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  console.log(`bundled ${path.relative(process.cwd(), outfile)} (${(bytes / 2 ** 20).toFixed(1)} MB)`);
}

const OPTIONS = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: EXTERNAL,
  plugins: [ownUrls],
  // No import() in the bundle: src/cli/main.ts runs it as a vm script, and code from V8's code cache there has
  // no loader for one. Lazy modules of the bundle stay lazy, and the left-out packages (all CommonJS) are
  // required when first used.
  supported: { 'dynamic-import': false },
  // Packages that read import.meta.url (ESM ones, bundled) get the bundle's.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: "const __bundleUrl = require('node:url').pathToFileURL(__filename).href;" },
  // Smaller to read and to hash for the code cache; names are kept, so stack traces stay readable.
  minifyWhitespace: true,
  minifySyntax: true,
  logLevel: 'warning',
  metafile: true,
};

await rm(cliDir, { recursive: true, force: true });
await bundle('program.js', 'baton');
await bundle('snapshot-status.js', 'status-snapshot');

// The package's bin (package.json), as tsc wrote it: executable. npx links it once per project folder and makes it
// executable then; a dist/ built again later (a fresh clone in the same folder, `rm -rf dist`) would otherwise give
// "baton: Permission denied".
await chmod(path.join(dist, 'src/cli/main.js'), 0o755);
