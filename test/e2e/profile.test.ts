// Connecting through a Temporal config file profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE), as the temporal CLI
// and SDKs do, with the built CLI: `baton worker`, `baton start` and `baton result` reach the suite's real dev
// server with no TEMPORAL_ADDRESS at all, and the run lands there; an explicit TEMPORAL_ADDRESS overrides a
// profile's address, and an unreachable profile address is reported with the profile named.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, freePort, jsonOf, stopProcess, type Sandbox } from '../helpers/cli.js';
import { testTemporal, type TestTemporal } from '../helpers/temporal.js';
import { modelSandbox } from '../helpers/worker-scene.js';

let temporal: TestTemporal;
let fake: FakeModel;
let box: Sandbox;
let configFile: string;
let deadAddress: string;
before(async () => {
  temporal = await testTemporal();
  fake = await FakeModel.start({ rehearse: true });
  // No TEMPORAL_ADDRESS, and no temporal binary: were the profile ignored, baton could not start an embedded server.
  const env = { TEMPORAL_CLI_PATH: '/nonexistent/temporal', PATH: path.dirname(process.execPath) };
  box = await modelSandbox('profile', fake, env);
  deadAddress = `127.0.0.1:${await freePort()}`;
  configFile = path.join(box.root, 'temporal.toml');
  await writeFile(
    configFile,
    [
      '[profile.suite]',
      `address = "${temporal.address}"`,
      'namespace = "default"',
      '',
      '[profile.dead]',
      `address = "${deadAddress}"`,
      '',
    ].join('\n'),
  );
  await writeFile(
    path.join(box.cwd, 'plan.yaml'),
    'version: 1\nname: profiled\ntasks:\n  - { id: only, prompt: "Write it.", expectedOutputs: [out.txt] }\n',
  );
});
after(async () => {
  await fake.stop();
  await box.cleanup();
  await temporal.close();
});

void test('TEMPORAL_PROFILE in TEMPORAL_CONFIG_FILE: worker, start and result reach the suite server without TEMPORAL_ADDRESS', async () => {
  const env = { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'suite' };
  const worker = box.spawn(['worker'], { env });
  try {
    const runId = `profiled-${Date.now().toString(36)}`;
    const start = await box.baton(['start', 'plan.yaml', '--id', runId], { env });
    assert.equal(start.exitCode, 0, describeResult(start));
    const result = await box.baton(['result', runId, '--json'], { env });
    assert.equal(result.exitCode, 0, describeResult(result));
    assert.equal(jsonOf<RunStatus>(result).phase, 'completed');
    // The run is on the suite's server (read with a client that knows nothing of profiles).
    const described = await temporal.client.workflow.getHandle(runId).describe();
    assert.equal(described.status.name, 'COMPLETED');
    assert.equal(described.taskQueue, box.taskQueue);
    const stopped = await stopProcess(worker);
    assert.equal(stopped.exitCode, 0, stopped.output);
    assert.match(
      stopped.output,
      new RegExp(`baton worker on ${temporal.address} \\(profile "suite" of ${configFile}\\)`),
    );
  } finally {
    await stopProcess(worker, 5_000);
  }
});

void test('an explicit TEMPORAL_ADDRESS overrides the profile’s address; the profile’s unreachable address is reported naming the profile', async () => {
  const dead = { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'dead' };
  const overridden = await box.baton(['list', '--json'], { env: { ...dead, TEMPORAL_ADDRESS: temporal.address } });
  assert.equal(overridden.exitCode, 0, describeResult(overridden));
  const unreachable = await box.baton(['list', '--json'], { env: dead, timeoutMs: 60_000 });
  assert.equal(unreachable.exitCode, 3, describeResult(unreachable));
  assert.ok(unreachable.stderr.includes(`cannot reach Temporal at ${deadAddress}`), describeResult(unreachable));
  assert.ok(unreachable.stderr.includes(`profile "dead" in ${configFile}`), describeResult(unreachable));
});

void test('a misconfigured profile stops every command before it connects: exit 2 naming the variable', async () => {
  const result = await box.baton(['start', 'plan.yaml'], {
    env: { TEMPORAL_CONFIG_FILE: configFile, TEMPORAL_PROFILE: 'staging' },
  });
  assert.equal(result.exitCode, 2, describeResult(result));
  assert.match(
    result.stderr,
    /TEMPORAL_PROFILE=staging: no profile "staging" in TEMPORAL_CONFIG_FILE=.*\(its profiles: suite, dead\)/,
  );
});
