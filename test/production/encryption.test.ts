// Payload encryption: the codec alone (round trip, rotation, tampering, key errors), the codec server
// (auth, CORS, protocol), and a real run — the real worker, the real claude binary against the fake
// model, the suite's Temporal dev server — whose history, read raw with `temporal workflow show`, holds
// only ciphertext, while the codec server (called directly and by the `temporal` CLI) reads it back; and a
// run whose task fails, whose failure messages are encrypted too.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Client, WorkflowFailedError } from '@temporalio/client';
import { defaultPayloadConverter, type FailureConverter, type Payload } from '@temporalio/common';
import { execa } from 'execa';
import { AesGcmCodec, ENCODING_ENCRYPTED, isEncrypted, METADATA_KEY_ID } from '../../src/codec/aes-gcm-codec.js';
import { startCodecServer, type CodecServer } from '../../src/codec/codec-server.js';
import { loadEncryptionConfig } from '../../src/config/encryption.js';
import { batonDataConverter, chainCodecs, ENCODED_FAILURES_CONVERTER_PATH } from '../../src/codec/data-converter.js';
import { parseKeyRing, type KeyRing } from '../../src/codec/keys.js';
import { payloadsFromJson, payloadsToJson, type PayloadsJson } from '../../src/codec/payload-json.js';
import { ConfigError } from '../../src/config/index.js';
import { startRun } from '../../src/client/runs.js';
import { resolvePlanPaths } from '../../src/plan/resolve.js';
import { PlanSchema } from '../../src/plan/schema.js';
import { FakeModel, type FakeModelOptions } from '../../src/rehearsal/fake-model.js';
import { workflowCode } from '../../src/workers/workflow-code.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, sandbox } from '../helpers/cli.js';
import { forAllTests, tempFolderForAllTests } from '../helpers/for-all-tests.js';
import { agentFolders, testWorker, workflowTemporal } from '../helpers/workflow-harness.js';

const key = () => randomBytes(32).toString('base64');
const utf8 = new TextEncoder();
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('utf8');
const jsonPayload = (value: unknown): Payload => ({
  metadata: { encoding: utf8.encode('json/plain') },
  data: utf8.encode(JSON.stringify(value)),
});

function ring(spec: string): KeyRing {
  const keys = parseKeyRing({ keys: spec });
  assert.ok(keys);
  return keys;
}

describe('AES-GCM payload codec', () => {
  void test('a payload round-trips, and its ciphertext names the key but holds neither the value nor its metadata', async () => {
    const codec = new AesGcmCodec(ring(`k1:${key()}`));
    const plain = jsonPayload({ prompt: 'the launch code is 0000' });
    const [sealed] = await codec.encode([plain]);
    assert.ok(sealed && isEncrypted(sealed));
    assert.equal(text(sealed.metadata?.encoding), ENCODING_ENCRYPTED);
    assert.equal(text(sealed.metadata?.[METADATA_KEY_ID]), 'k1');
    assert.ok(!text(sealed.data).includes('launch code'));
    assert.ok(!text(sealed.data).includes('json/plain'));
    const [opened] = await codec.decode([sealed]);
    assert.deepEqual(JSON.parse(text(opened?.data)), { prompt: 'the launch code is 0000' });
    assert.equal(text(opened?.metadata?.encoding), 'json/plain');
  });

  void test('two encryptions of one payload differ (a fresh IV each time)', async () => {
    const codec = new AesGcmCodec(ring(`k1:${key()}`));
    const [a, b] = await codec.encode([jsonPayload('same'), jsonPayload('same')]);
    assert.notDeepEqual(a?.data, b?.data);
  });

  void test('rotation: a new first key encrypts, payloads sealed with the old key still open', async () => {
    const oldKey = key();
    const [sealedOld] = await new AesGcmCodec(ring(`old:${oldKey}`)).encode([jsonPayload('from last month')]);
    const rotated = new AesGcmCodec(ring(`new:${key()},old:${oldKey}`));
    const [sealedNew] = await rotated.encode([jsonPayload('today')]);
    assert.equal(text(sealedNew?.metadata?.[METADATA_KEY_ID]), 'new');
    const opened = await rotated.decode([sealedOld!, sealedNew!]);
    assert.deepEqual(
      opened.map((p) => JSON.parse(text(p.data))),
      ['from last month', 'today'],
    );
  });

  void test('a payload sealed with a key this process lacks fails with the key id named', async () => {
    const [sealed] = await new AesGcmCodec(ring(`gone:${key()}`)).encode([jsonPayload('x')]);
    await assert.rejects(new AesGcmCodec(ring(`k1:${key()}`)).decode([sealed!]), /key "gone".*BATON_ENCRYPTION_KEYS/);
  });

  void test('an altered ciphertext, or one relabelled to another key id, does not authenticate', async () => {
    const k = key();
    const codec = new AesGcmCodec(ring(`a:${k},b:${k}`));
    const [sealed] = await codec.encode([jsonPayload('x')]);
    const flipped = new Uint8Array(sealed!.data!);
    flipped[20] = flipped[20]! ^ 1;
    await assert.rejects(codec.decode([{ ...sealed!, data: flipped }]), /does not authenticate/);
    const relabelled = { ...sealed!, metadata: { ...sealed!.metadata, [METADATA_KEY_ID]: utf8.encode('b') } };
    await assert.rejects(codec.decode([relabelled]), /does not authenticate/);
  });

  void test('payloads that are not encrypted pass through decode untouched', async () => {
    const codec = new AesGcmCodec(ring(`k1:${key()}`));
    const plain = jsonPayload('legacy');
    assert.deepEqual(await codec.decode([plain]), [plain]);
  });
});

describe('encryption configuration', () => {
  void test('no variables: encryption is off', () => {
    assert.equal(loadEncryptionConfig({}).keys, undefined);
  });

  void test('empty variables count as unset (Compose passes unset names through as empty)', () => {
    assert.equal(loadEncryptionConfig({ BATON_ENCRYPTION_KEY: '', BATON_ENCRYPTION_KEYS: '' }).keys, undefined);
  });

  void test('without keys, an encrypted payload is refused with the variable to set, not "Unknown encoding"', async () => {
    const [sealed] = await new AesGcmCodec(ring(`k9:${key()}`)).encode([jsonPayload('x')]);
    const codec = chainCodecs(batonDataConverter(undefined).payloadCodecs ?? []);
    const plain = jsonPayload('plain');
    assert.deepEqual(await codec.encode([plain]), [plain], 'nothing is encrypted');
    await assert.rejects(codec.decode([sealed!]), /encrypted \(key "k9"\).*set BATON_ENCRYPTION_KEY/);
  });

  void test("with keys, failures go through the converter that encodes them, and the worker takes the bundle compiled with it; without, Temporal's default and the plain bundle", () => {
    const withKeys = batonDataConverter(ring(`k1:${key()}`));
    assert.equal(withKeys.failureConverterPath, ENCODED_FAILURES_CONVERTER_PATH);
    assert.equal(batonDataConverter(undefined).failureConverterPath, undefined);
    assert.equal(
      path.basename(workflowCode(withKeys.failureConverterPath).workflowBundle?.codePath ?? ''),
      'workflow-bundle-encoded-failures.js',
    );
    assert.equal(path.basename(workflowCode(undefined).workflowBundle?.codePath ?? ''), 'workflow-bundle.js');
    // The worker require()s it by path, as Temporal does.
    const { failureConverter } = createRequire(import.meta.url)(ENCODED_FAILURES_CONVERTER_PATH) as {
      failureConverter: FailureConverter;
    };
    const failure = failureConverter.errorToFailure(new Error('the secret'), defaultPayloadConverter);
    assert.equal(failure.message, 'Encoded failure');
    assert.equal(failure.stackTrace, '');
    assert.match(text(failure.encodedAttributes?.data), /"message":"the secret"/);
  });

  void test('BATON_ENCRYPTION_KEY is the single key "default"', () => {
    const keys = loadEncryptionConfig({ BATON_ENCRYPTION_KEY: key() }).keys;
    assert.equal(keys?.current.id, 'default');
  });

  void test('BATON_ENCRYPTION_KEYS: the first key encrypts, every key decrypts', () => {
    const keys = loadEncryptionConfig({ BATON_ENCRYPTION_KEYS: `b:${key()}, a:${key()}` }).keys;
    assert.equal(keys?.current.id, 'b');
    assert.deepEqual([...(keys?.byId.keys() ?? [])], ['b', 'a']);
  });

  void test('each misconfiguration is a ConfigError that says what is wrong and never prints the key', () => {
    const secret = randomBytes(16).toString('base64');
    const cases: Array<[NodeJS.ProcessEnv, RegExp]> = [
      [{ BATON_ENCRYPTION_KEY: secret }, /decodes to 16 bytes; AES-256 needs 32/],
      [{ BATON_ENCRYPTION_KEY: 'not base64!' }, /not base64/],
      [{ BATON_ENCRYPTION_KEY: key(), BATON_ENCRYPTION_KEYS: `a:${key()}` }, /both set/],
      [{ BATON_ENCRYPTION_KEYS: secret }, /entry 1 has no key id/],
      [{ BATON_ENCRYPTION_KEYS: `a:${key()},a:${key()}` }, /"a" appears twice/],
      [{ BATON_ENCRYPTION_KEYS: `bad id:${key()}` }, /key id "bad id"/],
      [{ BATON_ENCRYPTION_KEYS: ' , ' }, /is empty/],
      [{ BATON_CODEC_AUTH_TOKEN: 'short' }, /BATON_CODEC_AUTH_TOKEN: use at least 16/],
    ];
    for (const [env, message] of cases) {
      assert.throws(
        () => loadEncryptionConfig(env),
        (err: unknown) => err instanceof ConfigError && message.test(err.message) && !err.message.includes(secret),
        `${JSON.stringify(Object.keys(env))} → ${message}`,
      );
    }
  });
});

describe('codec server', () => {
  const token = 'codec-token-0123456789';
  let server: CodecServer;
  let codec: AesGcmCodec;
  before(async () => {
    codec = new AesGcmCodec(ring(`k1:${key()}`));
    server = await startCodecServer({ codec, port: 0, authToken: token, corsOrigins: ['http://localhost:8080'] });
  });
  after(async () => {
    await server.close();
  });
  const post = (route: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...headers },
      body: JSON.stringify(body),
    });

  void test('/encode then /decode returns the payloads, in the protocol JSON (base64 bytes)', async () => {
    const plain = payloadsToJson([jsonPayload({ hello: 'world' })]);
    const encoded = (await (await post('/encode', plain)).json()) as PayloadsJson;
    assert.ok(payloadsFromJson(encoded).every(isEncrypted));
    const decoded = (await (await post('/default/decode', encoded)).json()) as PayloadsJson;
    assert.deepEqual(decoded, plain);
  });

  void test('without the bearer token: 401; with a wrong one: 401', async () => {
    const body = payloadsToJson([jsonPayload(1)]);
    assert.equal((await post('/decode', body, { Authorization: '' })).status, 401);
    assert.equal((await post('/decode', body, { Authorization: 'Bearer nope' })).status, 401);
  });

  void test('CORS: the Web UI origin gets a preflight answer, another origin gets no allow header', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/decode`, {
        method: 'OPTIONS',
        headers: { Origin: origin, 'Access-Control-Request-Method': 'POST' },
      });
    const ok = await preflight('http://localhost:8080');
    assert.equal(ok.status, 204);
    assert.equal(ok.headers.get('access-control-allow-origin'), 'http://localhost:8080');
    assert.match(ok.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    const other = await preflight('http://evil.example');
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  void test('a body that is not the protocol shape is a 400', async () => {
    assert.equal((await post('/decode', { nope: true })).status, 400);
  });
});

describe('an encrypted run', () => {
  const temporal = forAllTests(workflowTemporal);
  const root = tempFolderForAllTests('baton-enc-');

  /** The run's history, raw, as `temporal workflow show --output json` prints it with `extra` flags. */
  async function historyJson(workflowId: string, ...extra: string[]): Promise<string> {
    const temporalCli = process.env.TEMPORAL_CLI_PATH ?? 'temporal';
    const args = ['workflow', 'show', '--workflow-id', workflowId, '--address', temporal.address];
    const shown = await execa(temporalCli, [...args, '--namespace', 'default', '--output', 'json', ...extra]);
    return shown.stdout;
  }

  /**
   * What each encrypted run needs: folders under `root/<folder>`, the scripted model, a client and a baton worker
   * sharing the keys' data converter, and a codec server with a bearer token. `close()` stops the model and the
   * codec server.
   */
  async function encryptedScene(folder: string, keySpec: string, script: FakeModelOptions['script']) {
    const keys = ring(keySpec);
    const dataConverter = batonDataConverter(keys);
    const { cwd, configDir, artifactsDir } = await agentFolders(path.join(root, folder));
    const fake = await FakeModel.start({ rehearse: false, script });
    const taskQueue = `enc-${folder}-${randomBytes(4).toString('hex')}`;
    const client = new Client({ connection: temporal.connection, dataConverter });
    const token = `token-${randomBytes(12).toString('hex')}`;
    const codecServer = await startCodecServer({ codec: new AesGcmCodec(keys), port: 0, authToken: token });
    const close = async () => {
      await codecServer.close();
      await fake.stop();
    };
    try {
      const worker = await testWorker(temporal, { taskQueue, fake, configDir, artifactsDir, dataConverter });
      return { cwd, taskQueue, client, token, codecServer, worker, close };
    } catch (err) {
      await close();
      throw err;
    }
  }

  void test('history holds only ciphertext, the run completes, and the codec server decrypts it for the CLI and for a plain POST', async () => {
    const marker = randomBytes(4).toString('hex');
    const secrets = {
      goal: `GOAL-SECRET-${marker}`,
      prompt: `PROMPT-SECRET-${marker}`,
      result: `RESULT-SECRET-${marker}`,
    };
    const taskIds = [`alpha-${marker}`, `omega-${marker}`];
    const { cwd, taskQueue, client, token, codecServer, worker, close } = await encryptedScene(
      'sealed',
      `k2:${key()},k1:${key()}`,
      Object.fromEntries(taskIds.map((id) => [id, { turns: [{ text: `${secrets.result} from ${id}` }] }])),
    );
    try {
      const plan = resolvePlanPaths(
        PlanSchema.parse({
          version: 1,
          name: 'sealed',
          goal: secrets.goal,
          defaults: { timeout: '60s', retries: 1 },
          tasks: [
            { id: taskIds[0], prompt: `${secrets.prompt} first` },
            { id: taskIds[1], prompt: `${secrets.prompt} second`, dependsOn: [taskIds[0]] },
          ],
        }),
        cwd,
      );
      const final = await worker.runUntil(async () => {
        const handle = await startRun(client, { plan, taskQueue, options: { cwd, retryInitialInterval: '100ms' } });
        return { id: handle.workflowId, status: (await handle.result()) as RunStatus };
      });
      assert.equal(final.status.phase, 'completed');
      assert.deepEqual(
        final.status.tasks.map((t) => [t.id, t.state]),
        taskIds.map((id) => [id, 'succeeded']),
      );
      // The worker and client decrypted results for themselves: the secret made the round trip.
      assert.ok(JSON.stringify(final.status).includes(secrets.result));

      const show = (...extra: string[]) => historyJson(final.id, ...extra);
      const raw = await show('--no-json-shorthand-payloads');
      for (const secret of Object.values(secrets)) assert.ok(!raw.includes(secret), `${secret} is not in the history`);
      const found = collectPayloads(JSON.parse(raw));
      // Search attributes stay readable by design: the server indexes them (BatonPhase, BatonWaiting hold no content;
      // TemporalChangeVersion, the SDK's own, names the code patches the run went through, e.g. baton-warm-agent).
      const indexed = found.filter((f) => f.at.includes('.searchAttributes.indexedFields.'));
      assert.deepEqual(
        [...new Set(indexed.map((f) => f.at.replace(/.*\.indexedFields\./, '')))].sort(),
        ['BatonPhase', 'BatonWaiting', 'TemporalChangeVersion'].filter((name) =>
          indexed.some((f) => f.at.endsWith(name)),
        ),
      );
      // So would headers (Temporal never runs codecs on them): a run started without tracing has none at all.
      const headers = found.filter((f) => f.at.includes('.header.fields.'));
      assert.deepEqual(
        headers.map((f) => f.at),
        [],
        'an untraced run carries no header',
      );
      // A patch's marker (the SDK's, for code that changed: e.g. baton-warm-agent) holds its id in the clear, and only it.
      const patches = found.filter((f) => f.at.includes('.markerRecordedEventAttributes.details.patch-data.'));
      for (const { at, payload } of patches) {
        const data = Buffer.from(payload.data ?? '', 'base64').toString('utf8');
        assert.match(
          data,
          /^\{"id":"baton-[a-z-]+","deprecated":false\}$/,
          `the marker at ${at} names a patch and nothing else: ${data}`,
        );
      }
      const payloads = found
        .filter((f) => !indexed.includes(f) && !headers.includes(f) && !patches.includes(f))
        .map((f) => f.payload);
      console.log(
        `payloads in the history: ${payloads.length} encrypted, ${indexed.length} search attributes, ${headers.length} trace headers`,
      );
      assert.ok(payloads.length >= 6, `input, 2 activity inputs, 2 results, the result… (found ${payloads.length})`);
      for (const [i, p] of payloadsFromJson({ payloads }).entries()) {
        const where = found.find((f) => f.payload === payloads[i])?.at;
        assert.equal(text(p.metadata?.encoding), ENCODING_ENCRYPTED, `the payload at ${where} is encrypted`);
        assert.equal(text(p.metadata?.[METADATA_KEY_ID]), 'k2', 'sealed with the first key');
        for (const id of taskIds) assert.ok(!text(p.data).includes(id), `task id ${id} is not readable in a payload`);
      }

      // A plain POST, as the Web UI makes it, decrypts every payload; the secrets were there all along.
      const response = await fetch(`${codecServer.url}/decode`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default', Authorization: `Bearer ${token}` },
        body: JSON.stringify({ payloads }),
      });
      assert.equal(response.status, 200);
      const opened = payloadsFromJson((await response.json()) as PayloadsJson)
        .map((p) => text(p.data))
        .join('\n');
      for (const secret of Object.values(secrets)) assert.ok(opened.includes(secret), `${secret} decrypts`);
      for (const id of taskIds) assert.ok(opened.includes(id), `task id ${id} decrypts`);

      // The temporal CLI speaks the same protocol: with --codec-endpoint its history holds the plain payloads
      // (printed as base64 proto JSON).
      const viaCli = await show('--codec-endpoint', codecServer.url, '--codec-auth', `Bearer ${token}`);
      const cliPayloads = collectPayloads(JSON.parse(viaCli)).map((f) => f.payload);
      const cliText = payloadsFromJson({ payloads: cliPayloads })
        .filter((p) => !isEncrypted(p))
        .map((p) => text(p.data))
        .join('\n');
      assert.equal(cliPayloads.length, found.length, 'the CLI saw as many payloads');
      for (const secret of Object.values(secrets)) assert.ok(cliText.includes(secret), `the CLI shows ${secret}`);
    } finally {
      await close();
    }
  });

  void test("failure messages and stack traces are encrypted in history (the task's and the run's), and `baton status` with the key shows them", async () => {
    const marker = randomBytes(4).toString('hex');
    const secret = `FAILURE-SECRET-${marker}`;
    const taskId = `doomed-${marker}`;
    const keySpec = `k2:${key()},k1:${key()}`;
    // The model refuses the request: claude reports the 400 with its message, and runAgent fails the attempt
    // with an AgentBadRequest whose message quotes it.
    const { cwd, taskQueue, client, token, codecServer, worker, close } = await encryptedScene('failing', keySpec, {
      [taskId]: { failFirst: [{ status: 400, message: secret }] },
    });
    const box = await sandbox('enc-fail', { TEMPORAL_ADDRESS: temporal.address, BATON_ENCRYPTION_KEYS: keySpec });
    try {
      const plan = resolvePlanPaths(
        PlanSchema.parse({
          version: 1,
          name: 'sealed-failure',
          onFailure: 'fail',
          defaults: { timeout: '60s', retries: 0 },
          tasks: [{ id: taskId, prompt: 'This one is refused.' }],
        }),
        cwd,
      );
      const { id, runFailure } = await worker.runUntil(async () => {
        const handle = await startRun(client, { plan, taskQueue, options: { cwd } });
        const outcome = await handle.result().then(
          () => undefined,
          (err: unknown) => err,
        );
        return { id: handle.workflowId, runFailure: outcome };
      });
      // The client read the run's failure back through the key: the workflow's own message, in clear.
      assert.ok(runFailure instanceof WorkflowFailedError, `the run failed: ${String(runFailure)}`);
      assert.match(runFailure.cause?.message ?? '', new RegExp(`1 of 1 tasks did not succeed: ${taskId} \\(failed\\)`));

      const show = (...extra: string[]) => historyJson(id, ...extra);
      const raw = await show('--no-json-shorthand-payloads');
      assert.ok(!raw.includes(secret), "the model's error message is not in the history");
      assert.ok(!raw.includes('did not succeed'), "the run's failure message is not in the history");
      const failures = collectFailures(JSON.parse(raw));
      const activityFailure = failures.find((f) => f.at.includes('activityTaskFailedEventAttributes'));
      const runFailed = failures.find((f) => f.at.includes('workflowExecutionFailedEventAttributes'));
      assert.ok(activityFailure, `an ActivityTaskFailed event (failures at ${failures.map((f) => f.at).join(', ')})`);
      assert.ok(runFailed, 'a WorkflowExecutionFailed event');
      for (const { at, failure } of failures) {
        assert.equal(failure.message, 'Encoded failure', `the message at ${at} is moved out`);
        assert.equal(failure.stackTrace ?? '', '', `the stack trace at ${at} is moved out`);
        const [sealed] = payloadsFromJson({ payloads: [failure.encodedAttributes!] });
        assert.equal(text(sealed?.metadata?.encoding), ENCODING_ENCRYPTED, `the attributes at ${at} are encrypted`);
        assert.equal(text(sealed?.metadata?.[METADATA_KEY_ID]), 'k2');
      }
      // The failure type stays in clear: the workflow and the UI need it, and it is a name, not content.
      assert.equal(activityFailure.failure.applicationFailureInfo?.type, 'AgentBadRequest');

      // `baton status` through a client with the key shows the task's error, the model's message included.
      const status = await box.baton(['status', id, '--json']);
      assert.equal(status.exitCode, 1, `exit 1: the run failed; ${describeResult(status)}`);
      const shown = jsonOf<RunStatus>(status);
      assert.equal(shown.phase, 'failed');
      const task = shown.tasks.find((t) => t.id === taskId);
      assert.equal(task?.state, 'failed');
      assert.match(task?.error ?? '', new RegExp(`400.*${secret}`), `the task's error: ${task?.error ?? ''}`);

      // Through the codec server, the temporal CLI shows the messages in clear.
      const viaCodec = await show('--codec-endpoint', codecServer.url, '--codec-auth', `Bearer ${token}`);
      const decodedText = payloadsFromJson({ payloads: collectPayloads(JSON.parse(viaCodec)).map((f) => f.payload) })
        .map((p) => text(p.data))
        .join('\n');
      assert.ok(decodedText.includes(secret), 'the codec server decrypts the failure attributes');
      console.log(
        `sealed failures: ${failures.length} failures in the history, each "Encoded failure" with encrypted attributes`,
      );
    } finally {
      await close();
      await box.cleanup();
    }
  });
});

interface FailureJson {
  message?: string;
  stackTrace?: string;
  encodedAttributes?: PayloadsJson['payloads'][number];
  applicationFailureInfo?: { type?: string };
  cause?: FailureJson;
}

/** Every top-level Failure object (one with a message and some failure info) in a history's JSON. */
function collectFailures(node: unknown, at = '', found: Array<{ at: string; failure: FailureJson }> = []) {
  if (Array.isArray(node)) {
    node.forEach((item, i) => collectFailures(item, `${at}[${i}]`, found));
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record.message === 'string' && Object.keys(record).some((k) => k.endsWith('FailureInfo'))) {
      found.push({ at, failure: record as FailureJson });
      return found;
    }
    for (const [name, value] of Object.entries(record)) collectFailures(value, `${at}.${name}`, found);
  }
  return found;
}

/** Every Payload object (`{ metadata, data }`) anywhere in a history's JSON, with where it was found. */
function collectPayloads(node: unknown, at = '', found: FoundPayload[] = []): FoundPayload[] {
  if (Array.isArray(node)) {
    node.forEach((item, i) => collectPayloads(item, `${at}[${i}]`, found));
  } else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    const metadata = record.metadata as Record<string, unknown> | undefined;
    if (metadata && typeof metadata === 'object' && typeof metadata.encoding === 'string') {
      found.push({
        at,
        payload: { metadata: metadata as Record<string, string>, data: (record.data as string | undefined) ?? '' },
      });
    } else {
      for (const [name, value] of Object.entries(record)) collectPayloads(value, `${at}.${name}`, found);
    }
  }
  return found;
}

interface FoundPayload {
  at: string;
  payload: PayloadsJson['payloads'][number];
}
