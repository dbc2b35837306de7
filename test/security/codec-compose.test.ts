// Issue 19, finding 6 — the codec server in the Compose cluster. (The server's own bounds — inflation, Host
// check, a token beyond loopback — are tested in test/production/codec-server.test.ts.) In Compose it listens on
// every interface of its container, so it needs its token: it is an opt-in profile, on a network the workers'
// agents cannot reach, every port is published on 127.0.0.1 unless told otherwise, and the file stays valid.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { execa } from 'execa';
import { parse } from 'yaml';
import { describeResult, freePort, REPO_ROOT, runBaton } from '../helpers/cli.js';

interface Service {
  profiles?: string[];
  command?: string[];
  ports?: string[];
  networks?: string[] | Record<string, unknown>;
  environment?: Record<string, string | null>;
}

const COMPOSE = path.join(REPO_ROOT, 'docker-compose.yml');

void test('docker-compose.yml: the codec server is an opt-in profile on its own network, its token never in the file, every port on 127.0.0.1 by default', async () => {
  const compose = parse(await readFile(COMPOSE, 'utf8')) as { services: Record<string, Service> };
  const codec = compose.services['codec-server'];
  assert.ok(codec, 'a codec-server service');
  assert.deepEqual(codec.profiles, ['codec'], 'started only with --profile codec');
  assert.deepEqual(codec.networks, ['codec'], 'not on the network the workers are on');
  assert.ok(codec.command?.includes('0.0.0.0'), 'it listens beyond loopback in its container: the token is required');
  assert.equal(codec.environment?.BATON_CODEC_AUTH_TOKEN, null, 'the token comes from the shell, never the file');
  for (const [name, service] of Object.entries(compose.services)) {
    for (const port of service.ports ?? []) {
      assert.match(port, /^'?\$\{BATON_PUBLISH_ADDRESS:-127\.0\.0\.1\}:/, `${name} publishes ${port}`);
    }
    if (name !== 'codec-server') assert.equal(service.networks, undefined, `${name} stays off the codec network`);
  }
  assert.equal(compose.services.worker?.environment?.BATON_WORKSPACE_ROOTS, '${BATON_WORKSPACE_ROOTS:-/workspace}');

  const config = await execa('docker-compose', ['-f', COMPOSE, 'config', '-q'], { reject: false, stdin: 'ignore' });
  assert.equal(config.exitCode, 0, `docker-compose config -q: ${config.stderr}`);
});

void test("the Compose codec server's command refuses to start without BATON_CODEC_AUTH_TOKEN (exit 2, naming it)", async () => {
  const started = await runBaton(['codec-server', '--host', '0.0.0.0', '--port', String(await freePort())], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    timeoutMs: 20_000,
  });
  assert.equal(started.exitCode, 2, describeResult(started));
  assert.match(started.stderr, /BATON_CODEC_AUTH_TOKEN/);
});
