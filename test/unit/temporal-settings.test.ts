// How baton finds Temporal: a Temporal config file profile (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE, the default
// file), explicit TEMPORAL_* variables over it, and one clear ConfigError per misconfiguration, naming the
// variable or the file. Real files in a temp folder; loadConfig is what every entry point calls.
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { defaultConfigFile } from '../../src/config/temporal.js';

let dir: string;
let file: string;
const PROFILES = `
[profile.default]
address = "default.example:7233"

[profile.prod]
address = "prod.example:7233"
namespace = "prod-ns"
api_key = "key-from-profile"

[profile.prod.grpc_meta]
x-team = "agents"

[profile.mtls]
address = "mtls.example:7233"
namespace = "mtls-ns"

[profile.mtls.tls]
client_cert_data = "CERT FROM PROFILE"
client_key_data = "KEY FROM PROFILE"
server_name = "tmprl.example"

[profile.half]
address = "half.example:7233"

[profile.half.tls]
client_cert_path = "/nowhere/client.pem"

[profile.plain]
address = "plain.example:7233"
api_key = "secret"

[profile.plain.tls]
disabled = true
`;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'baton-profile-'));
  file = path.join(dir, 'temporal.toml');
  await writeFile(file, PROFILES);
  await writeFile(path.join(dir, 'ca.pem'), 'CA FILE');
  await writeFile(path.join(dir, 'cert.pem'), 'CERT FILE');
  await writeFile(path.join(dir, 'key.pem'), 'KEY FILE');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** loadConfig with only these variables (no HOME: no default config file unless XDG_CONFIG_HOME says so). */
const load = (env: Record<string, string>) => loadConfig(env, dir);

function refuses(env: Record<string, string>, ...parts: (string | RegExp)[]): void {
  assert.throws(
    () => load(env),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
      for (const part of parts) {
        if (typeof part === 'string') assert.ok(err.message.includes(part), `"${err.message}" names ${part}`);
        else assert.match(err.message, part);
      }
      return true;
    },
  );
}

void describe('Temporal config file profiles', () => {
  void test('without a profile or TEMPORAL_ADDRESS the address is unset (the embedded server) and the namespace "default"', () => {
    const config = load({});
    assert.equal(config.temporal.address, undefined);
    assert.equal(config.temporal.namespace, 'default');
    assert.equal(config.temporal.tls, undefined);
    assert.equal(config.temporal.profile, undefined);
    assert.equal(config.uiUrl, 'http://127.0.0.1:8233');
  });

  void test('TEMPORAL_PROFILE takes address, namespace, API key (TLS on) and gRPC headers from TEMPORAL_CONFIG_FILE', () => {
    const config = load({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    assert.equal(config.temporal.address, 'prod.example:7233');
    assert.equal(config.temporal.namespace, 'prod-ns');
    assert.equal(config.temporal.apiKey, 'key-from-profile');
    assert.equal(config.temporal.tls, true, 'an API key turns TLS on');
    assert.deepEqual(config.temporal.metadata, { 'x-team': 'agents' });
    assert.deepEqual(config.temporal.profile, { name: 'prod', file });
    assert.equal(config.temporal.addressFrom, `profile "prod" in ${file}`);
    assert.equal(config.uiUrl, undefined, 'no embedded server, so no local Web UI link');
  });

  void test('explicit TEMPORAL_* variables override the profile, value by value (Temporal’s convention)', () => {
    const config = load({
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'prod',
      TEMPORAL_ADDRESS: '127.0.0.1:7233',
      TEMPORAL_API_KEY: 'key-from-env',
      TEMPORAL_GRPC_META_X_TEAM: 'override',
    });
    assert.equal(config.temporal.address, '127.0.0.1:7233');
    assert.equal(config.temporal.addressFrom, 'TEMPORAL_ADDRESS');
    assert.equal(config.temporal.namespace, 'prod-ns', 'the profile’s namespace stays: TEMPORAL_NAMESPACE is unset');
    assert.equal(config.temporal.apiKey, 'key-from-env');
    assert.deepEqual(config.temporal.metadata, { 'x-team': 'override' });
    assert.equal(load({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_NAMESPACE: 'mine' }).temporal.namespace, 'mine');
  });

  void test('without TEMPORAL_PROFILE the "default" profile applies, also from the default file in XDG_CONFIG_HOME', async () => {
    assert.equal(load({ TEMPORAL_CONFIG_FILE: file }).temporal.address, 'default.example:7233');
    const xdg = path.join(dir, 'xdg');
    await mkdir(path.join(xdg, 'temporalio'), { recursive: true });
    await writeFile(path.join(xdg, 'temporalio', 'temporal.toml'), '[profile.default]\naddress = "xdg.example:7233"\n');
    assert.equal(defaultConfigFile({ XDG_CONFIG_HOME: xdg }, 'linux'), path.join(xdg, 'temporalio', 'temporal.toml'));
    assert.equal(load({ XDG_CONFIG_HOME: xdg }).temporal.address, 'xdg.example:7233');
    // A missing default file is no error: most machines have none.
    assert.equal(load({ XDG_CONFIG_HOME: path.join(dir, 'none') }).temporal.address, undefined);
    // Nor is a file without a "default" profile, or without any.
    const empty = path.join(dir, 'empty.toml');
    await writeFile(empty, '# nothing yet\n');
    assert.equal(load({ TEMPORAL_CONFIG_FILE: empty }).temporal.address, undefined);
  });

  void test('TLS data from the profile becomes the client certificate pair; TEMPORAL_TLS_CERT/KEY/CA override it', () => {
    const fromProfile = load({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls' }).temporal.tls;
    assert.ok(fromProfile && typeof fromProfile === 'object');
    assert.equal(String(fromProfile.clientCertPair?.crt), 'CERT FROM PROFILE');
    assert.equal(String(fromProfile.clientCertPair?.key), 'KEY FROM PROFILE');
    assert.equal(fromProfile.serverNameOverride, 'tmprl.example');
    const overridden = load({
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'mtls',
      TEMPORAL_TLS_CERT: path.join(dir, 'cert.pem'),
      TEMPORAL_TLS_KEY: path.join(dir, 'key.pem'),
      TEMPORAL_TLS_CA: path.join(dir, 'ca.pem'),
    }).temporal.tls;
    assert.ok(overridden && typeof overridden === 'object');
    assert.equal(String(overridden.clientCertPair?.crt), 'CERT FILE');
    assert.equal(String(overridden.clientCertPair?.key), 'KEY FILE');
    assert.equal(String(overridden.serverRootCACertificate), 'CA FILE');
    // Temporal's own variable names work too.
    const standard = load({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'ca.pem') }).temporal.tls;
    assert.ok(standard && typeof standard === 'object');
    assert.equal(String(standard.serverRootCACertificate), 'CA FILE');
  });

  void test('a profile named by TEMPORAL_PROFILE that the file lacks: the error names it, the file and the profiles it has', () => {
    refuses(
      { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' },
      'TEMPORAL_PROFILE=staging',
      file,
      'default, prod, mtls, half, plain',
    );
  });

  void test('TEMPORAL_PROFILE without any config file: the error says to set TEMPORAL_CONFIG_FILE or create the default one', () => {
    const xdg = path.join(dir, 'no-config');
    refuses(
      { TEMPORAL_PROFILE: 'prod', XDG_CONFIG_HOME: xdg },
      'TEMPORAL_PROFILE=prod',
      'TEMPORAL_CONFIG_FILE',
      path.join(xdg, 'temporalio', 'temporal.toml'),
    );
  });

  void test('TEMPORAL_CONFIG_FILE naming a missing or unreadable file is an error naming it', async () => {
    const missing = path.join(dir, 'missing.toml');
    refuses({ TEMPORAL_CONFIG_FILE: missing }, `TEMPORAL_CONFIG_FILE=${missing}`, 'no such file');
    refuses({ TEMPORAL_CONFIG_FILE: dir }, `TEMPORAL_CONFIG_FILE=${dir}`, 'EISDIR');
    if (process.getuid?.() !== 0) {
      const locked = path.join(dir, 'locked.toml');
      await writeFile(locked, PROFILES);
      await chmod(locked, 0o000);
      refuses({ TEMPORAL_CONFIG_FILE: locked }, locked, 'EACCES');
    }
  });

  void test('a config file that is not TOML, or has a value of the wrong type, is an error with the file and the place', async () => {
    const broken = path.join(dir, 'broken.toml');
    await writeFile(broken, '[profile.default]\naddress = "unterminated\n');
    refuses({ TEMPORAL_CONFIG_FILE: broken }, `cannot parse TEMPORAL_CONFIG_FILE=${broken}`, 'line 2');
    const wrongType = path.join(dir, 'wrong-type.toml');
    await writeFile(wrongType, '[profile.default]\naddress = 7233\n');
    refuses({ TEMPORAL_CONFIG_FILE: wrongType }, wrongType, 'profile.default.address');
  });

  void test('a TLS client certificate without its key (profile or variables) is an error naming where the certificate came from and what to set', () => {
    refuses(
      { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'half' },
      `profile "half" in ${file}`,
      'no TLS client key',
      'tls.client_key_path',
    );
    refuses({ TEMPORAL_TLS_CERT: path.join(dir, 'cert.pem') }, 'TEMPORAL_TLS_CERT', 'TEMPORAL_TLS_KEY');
    refuses({ TEMPORAL_TLS_KEY: path.join(dir, 'key.pem') }, 'TEMPORAL_TLS_KEY', 'no TLS client certificate');
  });

  void test('an unreadable TLS file is an error naming the file and the variable or profile it came from', () => {
    const gone = path.join(dir, 'gone.pem');
    refuses({ TEMPORAL_TLS_CA: gone }, gone, 'from TEMPORAL_TLS_CA', 'ENOENT');
    refuses(
      { TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'half', TEMPORAL_TLS_KEY: path.join(dir, 'key.pem') },
      '/nowhere/client.pem',
      `profile "half" in ${file}`,
    );
  });

  void test('an API key with TLS disabled is refused: the key would travel in clear text', () => {
    refuses({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'plain' }, 'api_key', 'tls.disabled', 'clear text');
    refuses({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }, 'TEMPORAL_API_KEY', 'TEMPORAL_TLS=false');
  });

  void test('TEMPORAL_TLS overrides the profile both ways: false leaves its TLS files unused, true turns TLS on', () => {
    const off = load({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'mtls', TEMPORAL_TLS: 'false' });
    assert.equal(off.temporal.tls, false);
    refuses(
      { TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA: path.join(dir, 'ca.pem') },
      'TLS is disabled (TEMPORAL_TLS=false)',
      'TEMPORAL_TLS_CA',
    );
    const on = load({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'default', TEMPORAL_TLS: 'true' }).temporal.tls;
    assert.ok(on && typeof on === 'object', 'TLS on, with the system CAs');
    assert.equal(on.clientCertPair, undefined);
  });

  void test('conflicting names for one TLS file, and an invalid BATON_TASK_QUEUE, are errors', () => {
    refuses(
      { TEMPORAL_TLS_CA: path.join(dir, 'ca.pem'), TEMPORAL_TLS_SERVER_CA_CERT_PATH: path.join(dir, 'cert.pem') },
      'TEMPORAL_TLS_CA',
      'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    );
    refuses({ BATON_TASK_QUEUE: 'two words' }, 'BATON_TASK_QUEUE', 'task queue name');
  });
});
