// Standalone fake model: `node dist/src/rehearsal/main.js [--script file.json] [--port N] [--host H]
// [--cost-per-request U] [--no-rehearse]`. Prints its URL (for ANTHROPIC_BASE_URL) as one line and runs until
// SIGINT or SIGTERM.
import { parseArgs } from 'node:util';
import { FakeModel } from './fake-model.js';
import { loadScriptFile } from './script-file.js';

function numberOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0)
    throw new Error(`--${name} wants a number, got "${value}"`);
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      script: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'cost-per-request': { type: 'string' },
      'no-rehearse': { type: 'boolean' },
    },
    strict: true,
  });
  const port = numberOption('port', values.port);
  const costPerRequestUsd = numberOption('cost-per-request', values['cost-per-request']);
  const fake = await FakeModel.start({
    ...(values.script === undefined ? {} : { script: await loadScriptFile(values.script) }),
    ...(port === undefined ? {} : { port }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(costPerRequestUsd === undefined ? {} : { costPerRequestUsd }),
    rehearse: values['no-rehearse'] !== true,
  });
  process.stdout.write(fake.url + '\n');
  await new Promise<void>((done) => {
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await fake.stop();
}

main().catch((err: unknown) => {
  process.stderr.write(`fake model: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
