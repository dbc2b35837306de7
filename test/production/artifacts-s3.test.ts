// Artifacts beyond one machine (BATON_ARTIFACTS=s3://…), against a real S3-compatible server on loopback (moto's,
// test/helpers/s3-server.ts), the built CLI, the suite's Temporal dev server and the real claude binary:
// - the store itself: keep, read, list, download, and the errors of a missing bucket, object or endpoint;
// - a run whose tasks run on two workers that share no folder (different BATON_HOME and CLAUDE_CONFIG_DIR, as two
//   hosts would): the second worker's agent reads the first's full result from a local copy fetched from the
//   bucket; status shows s3:// refs; `baton artifact` prints the result from a third BATON_HOME;
// - an agent that succeeded but whose result cannot be uploaded has not succeeded: the attempt fails as
//   ArtifactsUnavailable and Temporal tries it again;
// - a worker with a bad store exits 2 with a message saying what to fix, before it takes any task.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { RESULT_TEXT_LIMIT } from '../../src/activities/index.js';
import { loadArtifactsConfig } from '../../src/config/artifacts.js';
import { S3ArtifactStore } from '../../src/artifacts/s3-store.js';
import {
  ArtifactStoreError,
  StoreProblem,
  type ArtifactStore,
  type StoredFile,
  type StoreKey,
} from '../../src/artifacts/store.js';
import { FakeModel } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, freePort, jsonOf, sandbox, stopProcess, waitFor, type Sandbox } from '../helpers/cli.js';
import { claudeEnv } from '../helpers/claude-env.js';
import { forAllTests, tempFolderForAllTests } from '../helpers/for-all-tests.js';
import { NO_AWS, startTestS3 } from '../helpers/s3-server.js';
import { plan, taskOf, withHarness, workflowTemporal } from '../helpers/workflow-harness.js';

const temporal = forAllTests(workflowTemporal);
const s3 = forAllTests(startTestS3);
const scratch = tempFolderForAllTests('baton-s3-');

async function objectText(ref: string): Promise<string> {
  const [, bucket, key] = /^s3:\/\/([^/]+)\/(.+)$/.exec(ref) ?? [];
  const answer = await s3.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return await answer.Body!.transformToString();
}

void describe('S3ArtifactStore against a real S3-compatible server', () => {
  const store = () => new S3ArtifactStore(loadArtifactsConfig(s3.env('unit')) as never);

  void it('keeps a 5 MB file and reads it back whole, lists it, and downloads it to a local file', async () => {
    const s = store();
    try {
      await s.check();
      const big = `${'a transcript line of some length\n'.repeat(160_000)}THE END`;
      const file = path.join(scratch, 'big.jsonl');
      await writeFile(file, big);
      const ref = await s.keepFile('artifacts/run-1/task-1/g1/attempt-1.jsonl', file);
      assert.equal(ref, `s3://${s3.bucket}/unit/artifacts/run-1/task-1/g1/attempt-1.jsonl`);
      assert.equal(await objectText(ref), big, 'the object holds the whole file');
      assert.equal((await s.read(ref)).toString(), big);
      const text = await s.putText('artifacts/run-1/task-1/g1/result.md', 'the result');
      assert.deepEqual(
        (await s.list('artifacts/run-1/task-1')).map((f) => [f.name, f.bytes, f.ref]),
        [
          ['g1/attempt-1.jsonl', Buffer.byteLength(big), ref],
          ['g1/result.md', 10, text],
        ],
      );
      assert.deepEqual(await s.list('artifacts/run-1/nothing'), []);
      const copy = path.join(scratch, 'copies', 'deep', 'big.jsonl');
      assert.equal(await s.localCopy(ref, copy), copy);
      assert.equal(await readFile(copy, 'utf8'), big);
      assert.equal(existsSync(`${copy}.partial`), false, 'no partial download left behind');
      const local = path.join(scratch, 'local.md');
      await writeFile(local, 'local');
      assert.equal(await s.localCopy(local, path.join(scratch, 'unused')), local, 'a local path needs no download');
    } finally {
      await s.close();
    }
  });

  void it('a missing object, a missing bucket and a closed port are errors of their kind', async () => {
    const s = store();
    const noBucket = new S3ArtifactStore(
      loadArtifactsConfig({ ...s3.env('x'), BATON_ARTIFACTS: 's3://no-such-bucket-here' }) as never,
    );
    const closed = new S3ArtifactStore(
      loadArtifactsConfig({ ...s3.env('x'), AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await freePort()}` }) as never,
    );
    try {
      const problemOf = async (promise: Promise<unknown>) => {
        try {
          await promise;
        } catch (err) {
          assert.ok(err instanceof ArtifactStoreError, String(err));
          return err.problem;
        }
        return 'no error';
      };
      assert.equal(await problemOf(s.read(`s3://${s3.bucket}/unit/none`)), StoreProblem.NotFound);
      assert.equal(await problemOf(noBucket.check()), StoreProblem.NoBucket);
      assert.equal(await problemOf(closed.check()), StoreProblem.Unreachable);
    } finally {
      await Promise.all([s.close(), noBucket.close(), closed.close()]);
    }
  });
});

void describe('a run across two workers that share no folder', () => {
  const runId = `s3-handoff-${Date.now().toString(36)}`;
  // a's result is far longer than the summary history keeps; its last line shows a reader got all of it.
  const longResult = `${Array.from({ length: 400 }, (_, i) => `Finding ${i}: the schema needs column c${i}.`).join('\n')}\nEND-OF-A-RESULT`;
  // Over 64 KB: the prompt travels by reference, through the bucket.
  const bigPrompt = `Design the schema.\n${'Requirement: keep every column documented.\n'.repeat(1700)}END-OF-A-PROMPT`;
  let box: Sandbox;
  let fake: FakeModel;
  const hosts = ['host-1', 'host-2'].map((name) => ({ name, home: '', claudeConfigDir: '' }));

  before(async () => {
    box = await sandbox('artifacts-s3', { TEMPORAL_ADDRESS: temporal.address, ...s3.env('runs') });
    for (const host of hosts) {
      host.home = path.join(box.root, host.name, 'baton-home');
      host.claudeConfigDir = path.join(box.root, host.name, 'claude-config');
      await mkdir(host.claudeConfigDir, { recursive: true });
    }
    const copyOnHost2 = path.join(hosts[1]!.home, 'artifacts', runId, 'b', 'g1', 'dependencies', 'a.result.md');
    fake = await FakeModel.start({
      rehearse: false,
      script: {
        a: { turns: [{ text: longResult }] },
        // b's agent reads the full result where its prompt says it is, with claude's own Read tool.
        b: { turns: [{ toolUse: { name: 'Read', input: { file_path: copyOnHost2 } } }, { text: 'b read all of a.' }] },
        // c fails once (a 429): the failed attempt's transcript is kept too.
        c: { failFirst: [{ status: 429 }], turns: [{ text: 'c done' }] },
      },
    });
    Object.assign(box.env, claudeEnv(fake, box.claudeConfigDir));
    await writeFile(
      path.join(box.cwd, 'plan.yaml'),
      JSON.stringify({
        version: 1,
        name: 's3-handoff',
        defaults: { retries: 0, timeout: '120s' },
        tasks: [
          { id: 'a', prompt: bigPrompt },
          // Held until host-1 is gone, so b runs on host-2 whatever Temporal would choose.
          { id: 'b', prompt: "Read a's full result.", dependsOn: ['a'], approval: 'before' },
          { id: 'c', prompt: 'Something on the side.', retries: 1 },
        ],
      }),
    );
  });
  after(async () => {
    await fake.stop();
    await box.cleanup();
  });

  const worker = (host: (typeof hosts)[number]) =>
    box.spawn(['worker'], { env: { BATON_HOME: host.home, CLAUDE_CONFIG_DIR: host.claudeConfigDir } });

  async function status(): Promise<RunStatus> {
    const result = await box.baton(['status', runId, '--json']);
    assert.equal(result.exitCode, 0, describeResult(result));
    return jsonOf<RunStatus>(result);
  }

  void it("b's agent on host-2 reads a's full result (written on host-1) from a local copy of the bucket's; status shows s3:// refs; baton artifact prints it", async () => {
    const started = await box.baton(['start', 'plan.yaml', '--id', runId, '--json']);
    assert.equal(started.exitCode, 0, describeResult(started));
    // The client kept the big prompt in the bucket, not in a folder of its host.
    const promptRef = `s3://${s3.bucket}/runs/inputs/${runId}/a.prompt.md`;
    assert.equal(await objectText(promptRef), bigPrompt);
    assert.equal(existsSync(path.join(box.home, 'inputs')), false);

    const host1 = worker(hosts[0]!);
    let gate: RunStatus;
    try {
      gate = await waitFor(
        'a and c to succeed and b to wait for approval',
        async () => {
          const s = await status();
          const state = (id: string) => s.tasks.find((t) => t.id === id)?.state;
          return state('a') === 'succeeded' && state('c') === 'succeeded' && state('b') === 'awaiting-approval'
            ? s
            : undefined;
        },
        90_000,
      );
    } finally {
      const stopped = await stopProcess(host1);
      assert.equal(stopped.killed, false, stopped.output);
    }
    const host2 = worker(hosts[1]!);
    let final: RunStatus;
    try {
      const approved = await box.baton(['approve', runId, 'b']);
      assert.equal(approved.exitCode, 0, describeResult(approved));
      const result = await box.baton(['result', runId, '--json'], { timeoutMs: 120_000 });
      assert.equal(result.exitCode, 0, describeResult(result));
      final = jsonOf<RunStatus>(result);
    } finally {
      await stopProcess(host2);
    }

    // Status: every artifact path is a ref into the bucket; a's summary is bounded, the object is whole.
    const task = (id: string) => final.tasks.find((t) => t.id === id)!;
    assert.equal(final.phase, 'completed');
    const aRef = `s3://${s3.bucket}/runs/artifacts/${runId}/a/g1/result.md`;
    assert.equal(task('a').artifactPath, aRef);
    assert.equal(gate.tasks.find((t) => t.id === 'a')?.artifactPath, aRef, 'the same ref while the run went on');
    assert.equal(task('b').artifactPath, `s3://${s3.bucket}/runs/artifacts/${runId}/b/g1/result.md`);
    assert.equal(await objectText(aRef), longResult, "a's full result is in the bucket");
    assert.ok(longResult.length > RESULT_TEXT_LIMIT);
    assert.ok((task('a').summary ?? '').length <= RESULT_TEXT_LIMIT, 'history keeps only a summary');
    assert.ok(!(task('a').summary ?? '').includes('END-OF-A-RESULT'));

    // The hosts shared nothing: a's files only on host-1, b's only on host-2.
    const [home1, home2] = hosts.map((h) => path.join(h.home, 'artifacts', runId));
    assert.equal(await readFile(path.join(home1!, 'a', 'g1', 'result.md'), 'utf8'), longResult);
    assert.equal(existsSync(path.join(home1!, 'b')), false, 'b never ran on host-1');
    assert.equal(existsSync(path.join(home2!, 'a')), false, "host-2 has no folder of a's");
    const aPrompt = await readFile(path.join(home1!, 'a', 'g1', 'prompt.md'), 'utf8');
    assert.ok(aPrompt.includes(bigPrompt), "a's agent got its whole prompt, read from the bucket");

    // b's prompt points at a local copy on host-2 that holds a's whole result, and the agent read all of it.
    const copy = path.join(home2!, 'b', 'g1', 'dependencies', 'a.result.md');
    const bPrompt = await readFile(path.join(home2!, 'b', 'g1', 'prompt.md'), 'utf8');
    assert.ok(bPrompt.includes(`Full result: ${copy} (a copy of ${aRef};`), bPrompt);
    assert.equal(await readFile(copy, 'utf8'), longResult);
    const transcript = await readFile(path.join(home2!, 'b', 'g1', 'attempt-1.jsonl'), 'utf8');
    const toolResults = transcript
      .split('\n')
      .filter((line) => line.includes('"tool_result"'))
      .join('\n');
    assert.match(toolResults, /END-OF-A-RESULT/, "b's Read of the copy returned a's last line");

    // `baton artifact` from a third BATON_HOME (no worker's) prints a's whole result from the bucket.
    const printed = await box.baton(['artifact', runId, 'a']);
    assert.equal(printed.exitCode, 0, describeResult(printed));
    assert.equal(printed.stdout, longResult);
    // c's failed first attempt left its transcript in the bucket too.
    const listed = await box.baton(['artifact', runId, 'c', '--list', '--json']);
    assert.equal(listed.exitCode, 0, describeResult(listed));
    const names = jsonOf<Array<{ name: string; ref: string }>>(listed).map((f) => f.name);
    for (const name of ['g1/attempt-1.jsonl', 'g1/attempt-1.stderr.log', 'g1/attempt-2.jsonl', 'g1/result.md']) {
      assert.ok(names.includes(name), `${name} in ${names.join(', ')}`);
    }
    const firstAttempt = await box.baton(['artifact', runId, 'c', 'g1/attempt-1.jsonl']);
    assert.match(firstAttempt.stdout, /"api_error_status":429/, "the 429 is in the failed attempt's transcript");
    // A baton without the store's settings says where it looked.
    const local = await box.baton(['artifact', runId, 'a'], { env: { BATON_ARTIFACTS: undefined } });
    assert.equal(local.exitCode, 2, describeResult(local));
    assert.match(local.stderr, /no artifacts of task a of run .* in .*baton-home\/artifacts/);
    console.log(
      `a: ${longResult.length} characters in the bucket, ${task('a').summary?.length} in history; b read it on host-2 from ${copy}`,
    );
  });

  void it('baton artifact: an unknown task or file exits 2 and says what there is', async () => {
    const none = await box.baton(['artifact', runId, 'zzz']);
    assert.equal(none.exitCode, 2, describeResult(none));
    assert.match(none.stderr, new RegExp(`no artifacts of task zzz of run ${runId} in s3://${s3.bucket}/runs`));
    const noFile = await box.baton(['artifact', runId, 'a', 'g9/result.md']);
    assert.equal(noFile.exitCode, 2, describeResult(noFile));
    assert.match(noFile.stderr, /has no g9\/result\.md; its files: g1\/attempt-1\.jsonl/);
  });
});

/** The bucket, but every file upload refused as if its server had gone away (texts and reads still work). */
class UploadsRefused implements ArtifactStore {
  constructor(private readonly store: S3ArtifactStore) {}
  get location(): string {
    return this.store.location;
  }
  keepFile(key: StoreKey): Promise<string> {
    return Promise.reject(
      new ArtifactStoreError(`cannot write ${key}: cannot reach the bucket (ECONNREFUSED)`, StoreProblem.Unreachable),
    );
  }
  putText(key: StoreKey, text: string): Promise<string> {
    return this.store.putText(key, text);
  }
  read(ref: string): Promise<Buffer> {
    return this.store.read(ref);
  }
  localCopy(ref: string, file: string): Promise<string> {
    return this.store.localCopy(ref, file);
  }
  list(prefix: StoreKey): Promise<StoredFile[]> {
    return this.store.list(prefix);
  }
  check(): Promise<void> {
    return this.store.check();
  }
}

void describe('a result that cannot be kept', () => {
  void it('fails the attempt as ArtifactsUnavailable, retryable: the agent runs again, and the error says why', async () => {
    const bucket = new S3ArtifactStore(loadArtifactsConfig(s3.env('refused')) as never);
    try {
      const store = new UploadsRefused(bucket);
      await withHarness(temporal, { script: { lost: { turns: [{ text: 'done, but…' }] } }, store }, async (h) => {
        const handle = await h.start(
          plan('lost-result', [{ id: 'lost', prompt: 'Work.', retries: 1 }], { onFailure: 'fail' }),
        );
        const final = await h.result(handle);
        const lost = taskOf(final, 'lost');
        assert.equal(lost.state, 'failed');
        assert.equal(lost.errorType, 'ArtifactsUnavailable');
        assert.equal(lost.attempts, 2, 'Temporal retried it');
        assert.match(lost.error ?? '', /the agent finished, but its result could not be kept in s3:\/\/.*cannot reach/);
        assert.equal(lost.artifactPath, null, 'no result was reported');
        assert.ok(lost.costUsd > 0, "the agent's cost is still counted");
        assert.equal(h.fake.requestsFor('lost').length, 2, 'each attempt ran the agent');
      });
    } finally {
      await bucket.close();
    }
  });

  void it('a store that cannot say what earlier attempts left fails the attempt before its agent runs (retryable)', async () => {
    // The bucket's server went away after the worker started.
    const gone = new S3ArtifactStore(
      loadArtifactsConfig({ ...s3.env('gone'), AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await freePort()}` }) as never,
    );
    try {
      await withHarness(
        temporal,
        { script: { blind: { turns: [{ text: 'never asked' }] } }, store: gone },
        async (h) => {
          const handle = await h.start(
            plan('blind-start', [{ id: 'blind', prompt: 'Work.', retries: 1 }], { onFailure: 'fail' }),
          );
          const blind = taskOf(await h.result(handle), 'blind');
          assert.equal(blind.errorType, 'ArtifactsUnavailable');
          assert.equal(blind.attempts, 2, 'Temporal retried it');
          assert.match(blind.error ?? '', /cannot read what earlier attempts left in s3:\/\/.*cannot reach/);
          assert.equal(h.fake.requestsFor('blind').length, 0, 'no agent ran, nothing was paid');
        },
      );
    } finally {
      await gone.close();
    }
  });
});

void describe('a worker whose store cannot work does not start', () => {
  let box: Sandbox;
  before(async () => {
    box = await sandbox('artifacts-bad', { TEMPORAL_ADDRESS: temporal.address });
  });
  after(async () => {
    await box.cleanup();
  });

  void it('bad BATON_ARTIFACTS, no bucket, no credentials, an unreachable endpoint: exit 2, the cause named, no task taken', async () => {
    const emptyHome = path.join(box.root, 'empty-home');
    await mkdir(emptyHome);
    const cases: Array<[string, Record<string, string | undefined>, RegExp]> = [
      ['unknown scheme', { ...NO_AWS, BATON_ARTIFACTS: 'gs://bucket/x' }, /BATON_ARTIFACTS: unknown scheme "gs:\/\/"/],
      ['no bucket', { ...NO_AWS, BATON_ARTIFACTS: 's3://' }, /BATON_ARTIFACTS: "s3:\/\/" names no bucket/],
      [
        'missing bucket',
        { ...s3.env('x'), BATON_ARTIFACTS: 's3://no-such-bucket-here/x' },
        /bucket "no-such-bucket-here" does not exist at http:\/\/127\.0\.0\.1:\d+; create it first/,
      ],
      [
        'no credentials anywhere',
        {
          ...s3.env('x'),
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
          // No ~/.aws to fall back on, and no instance metadata lookup (AWS_EC2_METADATA_DISABLED in s3.env).
          HOME: emptyHome,
          AWS_CONFIG_FILE: path.join(emptyHome, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(emptyHome, 'none'),
        },
        /no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
      ],
      [
        'unreachable endpoint',
        { ...s3.env('x'), AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${await freePort()}` },
        /cannot reach http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); check AWS_ENDPOINT_URL_S3/,
      ],
    ];
    for (const [what, env, message] of cases) {
      const result = await box.baton(['worker'], { env, timeoutMs: 60_000 });
      assert.equal(result.exitCode, 2, `${what}: ${describeResult(result)}`);
      assert.match(result.stderr, message, what);
      assert.doesNotMatch(result.stderr, /baton worker on/, `${what}: the worker never started`);
    }
  });
});
