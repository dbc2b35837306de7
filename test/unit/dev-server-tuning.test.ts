import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEV_SERVER_DYNAMIC_CONFIG, devServerTuningArgs } from '../../src/client/dev-server-tuning.js';

test('every dev server setting becomes one --dynamic-config-value KEY=VALUE pair', () => {
  const args = devServerTuningArgs();
  const keys = Object.keys(DEV_SERVER_DYNAMIC_CONFIG);
  assert.ok(keys.includes('history.transferProcessorMaxPollRPS'), 'the transfer queue cap is what chains wait on');
  assert.equal(args.length, 2 * keys.length);
  for (let i = 0; i < args.length; i += 2) {
    assert.equal(args[i], '--dynamic-config-value');
    const [key, value] = args[i + 1]!.split('=');
    assert.equal(JSON.parse(value!), DEV_SERVER_DYNAMIC_CONFIG[key!]);
  }
});
