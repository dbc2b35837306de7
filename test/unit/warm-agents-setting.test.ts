// A worker's warm agents (DESIGN §5): `--warm-agents`, else BATON_WARM_AGENTS, else the worker's default; a value
// that is not a whole number from 0 to MAX_WARM_AGENTS is refused with a ConfigError naming the variable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { warmAgentsOf } from '../../src/cli/commands/worker.js';
import { ConfigError, loadConfig, MAX_WARM_AGENTS } from '../../src/config/index.js';

const config = (value: string | undefined) =>
  loadConfig(value === undefined ? {} : { BATON_WARM_AGENTS: value }, '/tmp');

test('BATON_WARM_AGENTS is read as a whole number; empty or unset leaves the default', () => {
  assert.equal(config('0').warmAgents, 0);
  assert.equal(config('7').warmAgents, 7);
  assert.equal(config(String(MAX_WARM_AGENTS)).warmAgents, MAX_WARM_AGENTS);
  assert.equal(config('').warmAgents, undefined);
  assert.equal(config(undefined).warmAgents, undefined);
});

test('a bad BATON_WARM_AGENTS is refused, naming the variable and the rule', () => {
  for (const bad of ['-1', '1.5', 'four', ' 2', '1e3', String(MAX_WARM_AGENTS + 1)]) {
    assert.throws(
      () => config(bad),
      (err: unknown) =>
        err instanceof ConfigError &&
        err.message.includes('BATON_WARM_AGENTS') &&
        /whole number|at most/.test(err.message),
      `BATON_WARM_AGENTS=${JSON.stringify(bad)}`,
    );
  }
});

test('--warm-agents overrides BATON_WARM_AGENTS, which overrides the default', () => {
  assert.deepEqual(warmAgentsOf({ warmAgents: 2 }, config('5')), { warmAgents: 2 });
  assert.deepEqual(warmAgentsOf({ warmAgents: 0 }, config('5')), { warmAgents: 0 });
  assert.deepEqual(warmAgentsOf({}, config('5')), { warmAgents: 5 });
  assert.deepEqual(warmAgentsOf({}, config(undefined)), {});
});
