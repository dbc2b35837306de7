// A real S3-compatible server on loopback for the artifact store's tests: moto's server (PyPI), installed into
// .baton/tools/moto by scripts/provision-test-s3.sh (which .ci/run runs), or the command in BATON_TEST_S3_SERVER
// (any server that takes moto_server's `-H <host> -p <port>` and accepts any credentials).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { execa, type ResultPromise } from 'execa';
import { freePort, isListening, REPO_ROOT, waitFor } from './cli.js';

export interface TestS3 {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  /** A bucket made for this server. */
  bucket: string;
  /** A client of the server, for checks made around baton. */
  client: S3Client;
  /** What a baton process needs to keep its artifacts under s3://<bucket>/<prefix> here, and nothing else of AWS. */
  env(prefix: string): Record<string, string | undefined>;
  close(): Promise<void>;
}

const ACCESS_KEY = 'baton-test-key';
const SECRET_KEY = 'baton-test-secret';

/** Every AWS variable a test leaves unset, so nothing of the runner's (a profile, a region) leaks in. */
export const NO_AWS: Record<string, undefined> = Object.fromEntries(
  [
    'AWS_ENDPOINT_URL',
    'AWS_ENDPOINT_URL_S3',
    'AWS_REGION',
    'AWS_DEFAULT_REGION',
    'AWS_ACCESS_KEY_ID',
    'AWS_SECRET_ACCESS_KEY',
    'AWS_SESSION_TOKEN',
    'AWS_PROFILE',
    'BATON_S3_PATH_STYLE',
  ].map((name) => [name, undefined]),
);

export async function startTestS3(): Promise<TestS3> {
  const port = await freePort();
  // Wrapped: an execa process is a promise, and awaiting it would wait for the server's end.
  const { server } = await spawnServer(port);
  const exited = server.then(
    () => undefined,
    () => undefined,
  );
  let running = true;
  void exited.then(() => (running = false));
  try {
    await waitFor(
      `the S3 server on port ${port}`,
      async () => {
        if (!running) throw new Error(`the S3 server exited: ${String((await server).all ?? '')}`);
        return (await isListening(port)) ? true : undefined;
      },
      60_000,
    );
  } catch (err) {
    server.kill('SIGKILL');
    throw err;
  }
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY, secretAccessKey: SECRET_KEY },
  });
  const bucket = `baton-test-${randomBytes(4).toString('hex')}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return {
    endpoint,
    bucket,
    client,
    env: (prefix) => ({
      ...NO_AWS,
      BATON_ARTIFACTS: `s3://${bucket}/${prefix}`,
      AWS_ENDPOINT_URL_S3: endpoint,
      AWS_ACCESS_KEY_ID: ACCESS_KEY,
      AWS_SECRET_ACCESS_KEY: SECRET_KEY,
      // The SDK's metadata lookup must never leave the machine.
      AWS_EC2_METADATA_DISABLED: 'true',
    }),
    async close() {
      client.destroy();
      server.kill('SIGTERM');
      const timer = setTimeout(() => server.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function spawnServer(port: number): Promise<{ server: ResultPromise }> {
  const args = ['-H', '127.0.0.1', '-p', String(port)];
  const options = { reject: false, all: true, stdin: 'ignore' } as const;
  const command = process.env.BATON_TEST_S3_SERVER;
  if (command) return { server: execa(command, args, options) };
  const provision = await execa('bash', [path.join(REPO_ROOT, 'scripts', 'provision-test-s3.sh')], {
    stderr: 'inherit',
  });
  const motoDir = provision.stdout.trim();
  return { server: execa('python3', ['-m', 'moto.server', ...args], { ...options, env: { PYTHONPATH: motoDir } }) };
}
