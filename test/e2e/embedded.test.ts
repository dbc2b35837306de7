// The embedded default (DESIGN.md §8) through the built CLI: with TEMPORAL_ADDRESS unset, `baton run
// --rehearse` starts `temporal server start-dev` with its database in BATON_HOME, runs the example plan with
// the real `claude` against baton's own scripted model and prints the Web UI link; a later command reuses
// that server; `baton server stop` stops it. `baton server status` says, before, during and after, whether it runs.
import assert from 'node:assert/strict';
import { copyFile, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { RunStatus } from '../../src/workflows/status.js';
import {
  describeResult,
  freePort,
  isListening,
  jsonOf,
  REPO_ROOT,
  sandbox,
  stopEmbeddedServer,
  waitFor,
  type Sandbox,
} from '../helpers/cli.js';

let box: Sandbox;
let serverPort: number;
let uiPort: number;

before(async () => {
  serverPort = await freePort();
  uiPort = await freePort();
  box = await sandbox('embedded', {
    TEMPORAL_ADDRESS: undefined,
    // The suite's runner sets TEMPORAL_CLI_PATH; run alone, `temporal` comes from PATH.
    TEMPORAL_CLI_PATH: process.env.TEMPORAL_CLI_PATH,
    BATON_SERVER_PORT: String(serverPort),
    BATON_UI_PORT: String(uiPort),
  });
  await copyFile(path.join(REPO_ROOT, 'examples', 'linear.yaml'), path.join(box.cwd, 'linear.yaml'));
});

after(async () => {
  // Always stop the server this test started, even when an assertion failed half-way.
  await stopEmbeddedServer(box, serverPort);
  await box.cleanup();
});

void test('baton run --rehearse with no TEMPORAL_ADDRESS starts the embedded server, completes the example, reuses and stops the server', async () => {
  const runId = `baton-embedded-${Date.now().toString(36)}`;
  const before = await box.baton(['server', 'status']);
  assert.equal(before.exitCode, 1, describeResult(before));
  assert.match(before.stdout, new RegExp(`No embedded Temporal dev server runs at 127\\.0\\.0\\.1:${serverPort}`));
  const run = await box.baton(['run', '--rehearse', 'linear.yaml', '--id', runId], { timeoutMs: 150_000 });
  const context = describeResult(run);
  assert.equal(run.exitCode, 0, context);
  assert.match(
    run.stderr,
    new RegExp(`starting the embedded Temporal dev server .* on 127\\.0\\.0\\.1:${serverPort}`),
    context,
  );
  const uiLink = `http://127.0.0.1:${uiPort}/namespaces/default/workflows/${runId}`;
  assert.ok(run.stdout.includes(`Web UI: ${uiLink}`), `the output links the run in the Web UI\n${context}`);
  assert.match(run.stdout, /completed\s+3 tasks/, context);
  assert.match(run.stdout, /baton server stop/, context);

  // Rehearsal wrote each task's expected outputs.
  for (const file of ['out/changes.md', 'out/classified.md', 'out/RELEASE_NOTES.md']) {
    const text = await readFile(path.join(box.cwd, file), 'utf8');
    assert.match(text, /Rehearsal output of task /, file);
  }
  // The server's database lives in BATON_HOME, and the server outlives the command that started it.
  assert.ok((await stat(path.join(box.home, 'temporal.db'))).size > 0, 'temporal.db in BATON_HOME');
  assert.equal(await isListening(serverPort), true, 'the embedded server keeps running');
  assert.equal(await isListening(uiPort), true, 'the Web UI answers on BATON_UI_PORT');

  // A second command finds the running server instead of starting another.
  const list = await box.baton(['list', '--json']);
  assert.equal(list.exitCode, 0, describeResult(list));
  assert.doesNotMatch(list.stderr, /starting the embedded/, describeResult(list));
  const runs = jsonOf<Array<{ runId: string; phase: string }>>(list);
  assert.deepEqual(
    runs.filter((r) => r.runId === runId).map((r) => r.phase),
    ['completed'],
    describeResult(list),
  );
  const status = await box.baton(['status', runId, '--json']);
  assert.equal(status.exitCode, 0, describeResult(status));
  assert.equal(jsonOf<RunStatus>(status).phase, 'completed');

  const running = await box.baton(['server', 'status']);
  assert.equal(running.exitCode, 0, describeResult(running));
  assert.match(running.stdout, new RegExp(`runs at 127\\.0\\.0\\.1:${serverPort} \\(pid \\d+, started for BATON_HOME`));
  assert.ok(running.stdout.includes(`Web UI: http://127.0.0.1:${uiPort}`), describeResult(running));
  const runningJson = await box.baton(['server', 'status', '--json']);
  assert.equal(runningJson.exitCode, 0, describeResult(runningJson));
  const state = jsonOf<Record<string, unknown>>(runningJson);
  assert.deepEqual(
    [state.running, state.address, state.uiUrl, typeof state.pid, state.home],
    [true, `127.0.0.1:${serverPort}`, `http://127.0.0.1:${uiPort}`, 'number', box.home],
  );

  const stop = await box.baton(['server', 'stop'], { timeoutMs: 30_000 });
  assert.equal(stop.exitCode, 0, describeResult(stop));
  assert.match(stop.stderr, /stopped the embedded Temporal dev server/, describeResult(stop));
  await waitFor(
    'the embedded server port to close',
    async () => ((await isListening(serverPort)) ? undefined : true),
    10_000,
  );
  const stopped = await box.baton(['server', 'status', '--json']);
  assert.equal(stopped.exitCode, 1, describeResult(stopped));
  assert.equal(jsonOf<{ running: boolean }>(stopped).running, false);
  console.log(`embedded: baton run --rehearse (server start included) took ${run.durationMs} ms`);
});
