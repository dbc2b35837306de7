// The artifact store's logic without a server: BATON_ARTIFACTS and the AWS variables parsed with clear errors, the
// local store (today's behaviour: a file is its own ref), keys of an attempt's files, choosing the file
// `baton artifact` prints, the S3 SDK's errors turned into messages that say what to change, and the prompt line
// that points an agent at a local copy of a dependency's result.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { attemptPaths, inputKey, taskKey } from '../../src/activities/artifact-paths.js';
import { buildPrompt } from '../../src/activities/prompt.js';
import type { RunAgentInput } from '../../src/contract/agent.js';
import { loadArtifactsConfig, type S3Settings } from '../../src/config/artifacts.js';
import { LocalArtifactStore } from '../../src/artifacts/local-store.js';
import { describeS3Error } from '../../src/artifacts/s3-store.js';
import { ArtifactStoreError, parseS3Ref, StoreProblem, type StoredFile } from '../../src/artifacts/store.js';
import { pickArtifact } from '../../src/cli/commands/artifact.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { effectiveTask, TaskSchema } from '../../src/plan/schema.js';
import { tempFolderForAllTests } from '../helpers/for-all-tests.js';

void describe('BATON_ARTIFACTS', () => {
  void it('unset or empty: the local folder, whatever AWS variables (even broken ones) say', () => {
    assert.deepEqual(loadArtifactsConfig({}), { kind: 'local' });
    assert.deepEqual(loadArtifactsConfig({ BATON_ARTIFACTS: '', AWS_ENDPOINT_URL: 'not a url' }), { kind: 'local' });
    const config = loadConfig({ BATON_HOME: '/srv/baton' }, '/');
    assert.deepEqual(config.artifacts, { kind: 'local' });
    assert.equal(config.artifactsDir, '/srv/baton/artifacts');
    assert.equal(config.inputsDir, '/srv/baton/inputs');
  });

  void it('s3://bucket/prefix with an endpoint: path-style, region us-east-1, the key pair as credentials', () => {
    const config = loadArtifactsConfig({
      BATON_ARTIFACTS: 's3://team-artifacts/baton/prod/',
      AWS_ENDPOINT_URL_S3: 'http://minio.internal:9000',
      AWS_ENDPOINT_URL: 'http://ignored:1',
      AWS_ACCESS_KEY_ID: 'AKIA',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
    });
    assert.deepEqual(config, {
      kind: 's3',
      bucket: 'team-artifacts',
      prefix: 'baton/prod',
      region: 'us-east-1',
      endpoint: 'http://minio.internal:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret', sessionToken: 'token' },
    });
  });

  void it("on AWS itself: virtual-hosted addressing, the region required, credentials left to the SDK's chain", () => {
    const config = loadArtifactsConfig({ BATON_ARTIFACTS: 's3://bucket-1', AWS_DEFAULT_REGION: 'eu-west-3' });
    assert.equal(config.kind, 's3');
    if (config.kind !== 's3') return;
    assert.equal(config.prefix, '');
    assert.equal(config.region, 'eu-west-3');
    assert.equal(config.endpoint, undefined);
    assert.equal(config.forcePathStyle, false);
    assert.equal(config.credentials, undefined);
    assert.throws(() => loadArtifactsConfig({ BATON_ARTIFACTS: 's3://bucket-1' }), /needs a region: set AWS_REGION/);
  });

  void it('BATON_S3_PATH_STYLE overrides the default either way, and refuses anything but true/false', () => {
    const s3 = (env: Record<string, string>) => loadArtifactsConfig({ BATON_ARTIFACTS: 's3://b-1', ...env });
    assert.equal((s3({ AWS_REGION: 'us-east-2', BATON_S3_PATH_STYLE: 'true' }) as S3Settings).forcePathStyle, true);
    assert.equal(
      (s3({ AWS_ENDPOINT_URL: 'https://r2.example', BATON_S3_PATH_STYLE: '0' }) as S3Settings).forcePathStyle,
      false,
    );
    assert.throws(() => s3({ AWS_REGION: 'x', BATON_S3_PATH_STYLE: 'yes' }), /BATON_S3_PATH_STYLE: want true or false/);
  });

  void it('bad values are ConfigErrors naming the variable: unknown scheme, no bucket, bad bucket, a path, half a key pair, a bad endpoint', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ BATON_ARTIFACTS: 'gs://bucket/x' }, /BATON_ARTIFACTS: unknown scheme "gs:\/\/"/],
      [{ BATON_ARTIFACTS: 'file:///srv/x' }, /BATON_ARTIFACTS: unknown scheme "file:\/\/"/],
      [{ BATON_ARTIFACTS: 's3://' }, /BATON_ARTIFACTS: "s3:\/\/" names no bucket/],
      [{ BATON_ARTIFACTS: 's3:///prefix' }, /names no bucket/],
      [{ BATON_ARTIFACTS: 's3://My_Bucket' }, /"My_Bucket" is not a valid bucket name/],
      [{ BATON_ARTIFACTS: '/srv/artifacts' }, /BATON_ARTIFACTS: want s3:\/\/bucket\[\/prefix\].*set BATON_HOME/],
      [
        { BATON_ARTIFACTS: 's3://bucket', AWS_REGION: 'x', AWS_ACCESS_KEY_ID: 'AKIA' },
        /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together/,
      ],
      [{ BATON_ARTIFACTS: 's3://bucket', AWS_ENDPOINT_URL_S3: 'minio:9000' }, /AWS_ENDPOINT_URL_S3: want an http/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadConfig(env, '/'),
        (err: unknown) => err instanceof ConfigError && message.test(err.message),
        JSON.stringify(env),
      );
    }
  });

  void it('messages never repeat a secret', () => {
    const env = { BATON_ARTIFACTS: 's3://bucket', AWS_ENDPOINT_URL: 'nope', AWS_SECRET_ACCESS_KEY: 'sekrit-value' };
    assert.throws(
      () => loadArtifactsConfig(env),
      (err: unknown) => err instanceof ConfigError && !err.message.includes('sekrit-value'),
    );
  });
});

void describe('keys and refs', () => {
  void it("an attempt's files have keys artifacts/<run>/<task>/g<n>/<file>; unsafe run ids stay one segment", () => {
    const paths = attemptPaths('/home/a', { runId: 'run/../x', taskId: 'login', generation: 2, attempt: 3 });
    // Made safe, and told apart from every other id by a hash of the whole id (src/activities/path-segment.ts).
    const run = 'run___x+bce103b5d049fc32';
    assert.equal(paths.key(paths.result), `artifacts/${run}/login/g2/result.md`);
    assert.equal(paths.key(paths.transcript), `artifacts/${run}/login/g2/attempt-3.jsonl`);
    assert.equal(paths.dependencyResult('schema'), `/home/a/${run}/login/g2/dependencies/schema.result.md`);
    assert.equal(taskKey('r1', 'login'), 'artifacts/r1/login');
    assert.equal(inputKey('r1', 'login'), 'inputs/r1/login.prompt.md');
  });

  void it('s3 refs split into bucket and key; one without a key is refused', () => {
    assert.deepEqual(parseS3Ref('s3://b/p/artifacts/r/t/g1/result.md'), {
      bucket: 'b',
      key: 'p/artifacts/r/t/g1/result.md',
    });
    assert.throws(() => parseS3Ref('s3://bucket'), ArtifactStoreError);
    assert.throws(() => parseS3Ref('s3://bucket/'), ArtifactStoreError);
  });
});

void describe('LocalArtifactStore', () => {
  const root = tempFolderForAllTests('baton-local-store-');

  void it("keeps a worker's file where it lies (its ref is its path), and copies one from elsewhere", async () => {
    const store = new LocalArtifactStore({
      artifacts: path.join(root, 'artifacts'),
      inputs: path.join(root, 'inputs'),
    });
    const paths = attemptPaths(path.join(root, 'artifacts'), { runId: 'r', taskId: 't', generation: 1, attempt: 1 });
    await mkdir(paths.dir, { recursive: true });
    await writeFile(paths.result, 'the result');
    assert.equal(await store.keepFile(paths.key(paths.result), paths.result), paths.result);
    assert.equal(await store.localCopy(paths.result, '/unused'), paths.result, 'a path needs no copy');

    const elsewhere = path.join(root, 'elsewhere.jsonl');
    await writeFile(elsewhere, '{}\n');
    const kept = await store.keepFile(paths.key(paths.transcript), elsewhere);
    assert.equal(kept, paths.transcript);
    assert.equal(await readFile(kept, 'utf8'), '{}\n');

    const prompt = await store.putText('inputs/r/t.prompt.md', 'a big prompt');
    assert.equal(prompt, path.join(root, 'inputs', 'r', 't.prompt.md'));
    assert.equal((await store.read(prompt)).toString(), 'a big prompt');

    assert.deepEqual(
      (await store.list(taskKey('r', 't'))).map((f) => [f.name, f.bytes, f.ref]),
      [
        ['g1/attempt-1.jsonl', 3, paths.transcript],
        ['g1/result.md', 10, paths.result],
      ],
    );
    assert.deepEqual(await store.list(taskKey('r', 'nothing')), []);
  });

  void it("lists by the names' code units, whatever the locale (uppercase before lowercase, no collator)", async () => {
    const store = new LocalArtifactStore({ artifacts: path.join(root, 'order'), inputs: path.join(root, 'order-in') });
    const dir = path.join(root, 'order', 'r', 't');
    await mkdir(path.join(dir, 'g1'), { recursive: true });
    for (const name of ['b.md', 'B.md', 'a.md', 'é.md', 'g1/z.md']) await writeFile(path.join(dir, name), name);
    // localeCompare would give a, b, B, é, g1/z.
    assert.deepEqual(
      (await store.list(taskKey('r', 't'))).map((f) => f.name),
      ['B.md', 'a.md', 'b.md', 'g1/z.md', 'é.md'],
    );
  });

  void it('an s3:// ref is refused with what to set; a missing file is NotFound', async () => {
    const store = new LocalArtifactStore({ artifacts: path.join(root, 'a2'), inputs: path.join(root, 'i2') });
    await assert.rejects(
      store.read('s3://bucket/key'),
      (err: unknown) =>
        err instanceof ArtifactStoreError &&
        err.problem === StoreProblem.NotConfigured &&
        /set BATON_ARTIFACTS=s3:\/\//.test(err.message),
    );
    await assert.rejects(store.localCopy('s3://bucket/key', path.join(root, 'x')), /is in S3/);
    await assert.rejects(
      store.read(path.join(root, 'missing.md')),
      (err: unknown) => err instanceof ArtifactStoreError && err.problem === StoreProblem.NotFound,
    );
  });
});

void describe('baton artifact: which file', () => {
  const files: StoredFile[] = [
    'g1/attempt-1.jsonl',
    'g1/result.md',
    'g2/attempt-1.jsonl',
    'g10/attempt-1.jsonl',
    'g10/attempt-2.jsonl',
    'g2/result.md',
  ].map((name) => ({ name, ref: `s3://b/${name}`, bytes: 1 }));

  void it('result.md of the latest generation that has one (g10 failed: g2), counting generations as numbers', () => {
    assert.equal(pickArtifact(files, 'result.md')?.name, 'g2/result.md');
    assert.equal(pickArtifact(files, 'attempt-1.jsonl')?.name, 'g10/attempt-1.jsonl');
    assert.equal(pickArtifact(files, 'g1/result.md')?.name, 'g1/result.md');
    assert.equal(pickArtifact(files, 'g3/result.md'), undefined);
    assert.equal(pickArtifact(files, 'prompt.md'), undefined);
  });
});

void describe('S3 errors as messages', () => {
  const settings: S3Settings = {
    bucket: 'team',
    prefix: 'baton',
    region: 'us-east-1',
    endpoint: 'http://minio:9000',
    forcePathStyle: true,
    credentials: undefined,
  };
  const sdkError = (fields: Record<string, unknown>) => Object.assign(new Error(String(fields.message ?? '')), fields);

  void it('each failure names what to change, and says whether it is the bucket, the credentials or the network', () => {
    const cases: Array<[Record<string, unknown>, string, StoreProblem, RegExp]> = [
      [
        { name: 'CredentialsProviderError', message: 'Could not load credentials from any providers' },
        'use s3://team/baton',
        StoreProblem.NoCredentials,
        /no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
      ],
      [
        { name: 'InvalidAccessKeyId', message: 'The key does not exist', $metadata: { httpStatusCode: 403 } },
        'write s3://team/baton/x',
        StoreProblem.Denied,
        /http:\/\/minio:9000 refused the credentials \(The key does not exist\)/,
      ],
      [
        { name: 'Forbidden', message: 'UnknownError', $metadata: { httpStatusCode: 403 } },
        'use s3://team/baton',
        StoreProblem.Denied,
        /refused the credentials \(HTTP 403 Forbidden\)/,
      ],
      [
        { name: 'NotFound', message: 'UnknownError', $metadata: { httpStatusCode: 404 } },
        'use s3://team/baton',
        StoreProblem.NoBucket,
        /bucket "team" does not exist at http:\/\/minio:9000; create it first/,
      ],
      [
        { name: 'NoSuchKey', message: 'The specified key does not exist.', $metadata: { httpStatusCode: 404 } },
        'read s3://team/baton/x',
        StoreProblem.NotFound,
        /cannot read s3:\/\/team\/baton\/x: no such object/,
      ],
      [
        { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9000' },
        'use s3://team/baton',
        StoreProblem.Unreachable,
        /cannot reach http:\/\/minio:9000 \(ECONNREFUSED\); check AWS_ENDPOINT_URL_S3/,
      ],
      [
        { name: 'InternalError', message: 'We encountered an internal error', $metadata: { httpStatusCode: 500 } },
        'write s3://team/baton/x',
        StoreProblem.Other,
        /http:\/\/minio:9000 answered: We encountered an internal error/,
      ],
    ];
    for (const [fields, what, problem, message] of cases) {
      const err = describeS3Error(sdkError(fields), what, settings);
      assert.equal(err.problem, problem, JSON.stringify(fields));
      assert.match(err.message, message);
      assert.ok(err.message.startsWith(`cannot ${what}: `), err.message);
    }
  });
});

void describe('the prompt of a dependent task', () => {
  const input = (artifactPath: string): RunAgentInput => ({
    runId: 'r',
    task: effectiveTask({}, TaskSchema.parse({ id: 'b', prompt: 'Use a.', dependsOn: ['a'] })),
    generation: 1,
    cwd: '/repo',
    dependencies: [{ id: 'a', title: 'A', state: 'succeeded', summary: 'short summary', artifactPath }],
    guidance: [],
    sessionId: '11111111-2222-4333-8444-555555555555',
  });

  void it('points at the local copy of a result kept in S3, naming where it came from', () => {
    const prompt = buildPrompt(input('s3://b/p/artifacts/r/a/g1/result.md'), {
      dependencyResults: { a: '/w2/artifacts/r/b/g1/dependencies/a.result.md' },
    });
    assert.match(
      prompt,
      /Full result: \/w2\/artifacts\/r\/b\/g1\/dependencies\/a\.result\.md \(a copy of s3:\/\/b\/p\/artifacts\/r\/a\/g1\/result\.md; read it/,
    );
  });

  void it('points at the file itself when the result is local, as before', () => {
    const prompt = buildPrompt(input('/w1/artifacts/r/a/g1/result.md'), {
      dependencyResults: { a: '/w1/artifacts/r/a/g1/result.md' },
    });
    assert.match(prompt, /Full result: \/w1\/artifacts\/r\/a\/g1\/result\.md \(read it if you need more/);
    assert.doesNotMatch(prompt, /a copy of/);
  });
});
