// Each typed error carries the exit code a command ends with (DESIGN.md §6): 2 bad input, 3 Temporal unreachable,
// 1 for anything else — an error that merely has an `exitCode` field (execa's, a child's) included.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArtifactStoreError, StoreProblem } from '../../src/artifacts/store.js';
import { BadInputError, NotFoundError, TemporalUnavailableError } from '../../src/client/errors.js';
import { RefusedError } from '../../src/client/interventions.js';
import { ConfigError } from '../../src/config/index.js';
import { ExitCode, exitCodeOf } from '../../src/errors/exit-code.js';
import { PlanError } from '../../src/plan/errors.js';
import { SearchAttributesMissingError } from '../../src/workers/search-attributes.js';

void test('bad input of every kind exits 2, Temporal out of reach 3, and anything else 1', () => {
  const cases: [Error, ExitCode][] = [
    [new ConfigError('BATON_HOME: …'), ExitCode.BadInput],
    [new PlanError([{ path: 'tasks', message: 'empty' }]), ExitCode.BadInput],
    [new BadInputError('--goal must not be empty'), ExitCode.BadInput],
    [new RefusedError('approve refused: …'), ExitCode.BadInput],
    [new NotFoundError('no run with id x'), ExitCode.BadInput],
    [new ArtifactStoreError('no such bucket', StoreProblem.NotFound), ExitCode.BadInput],
    [new TemporalUnavailableError('cannot reach 127.0.0.1:1'), ExitCode.TemporalUnavailable],
    [new SearchAttributesMissingError('run temporal operator …'), ExitCode.TemporalUnavailable],
    [new Error('agent failed'), ExitCode.Failed],
    [Object.assign(new Error('Command failed with exit code 2'), { exitCode: 2 }), ExitCode.Failed],
  ];
  for (const [err, code] of cases) assert.equal(exitCodeOf(err), code, `${err.name}: ${err.message}`);
  assert.equal(exitCodeOf('a string thrown'), ExitCode.Failed);
  assert.equal(exitCodeOf(undefined), ExitCode.Failed);
});
