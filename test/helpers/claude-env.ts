// Running the real `claude` binary against a FakeModel in tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FakeModel } from '../../src/rehearsal/fake-model.js';
import { fakeModelEnv } from '../../src/rehearsal/env.js';

// Compiled, this file is dist/test/helpers/claude-env.js: the repository root is three levels up.
const REPO_ROOT = new URL('../../../', import.meta.url);

/** The Claude Code CLI installed as a dev dependency (a native binary). */
export const CLAUDE_BIN = fileURLToPath(new URL('node_modules/.bin/claude', REPO_ROOT));

/**
 * An empty HOME for the tests' claudes. claude's Bash tool starts a login shell of HOME's profile: the runner's may
 * run `pyenv rehash`, whose lock a killed agent's shell leaves behind — and every later shell then waits a minute
 * on it, in whichever test comes next.
 */
export const TEST_HOME = mkdtempSync(path.join(tmpdir(), 'baton-test-home-'));

/** claude's environment for a test: talks only to `fake`, keeps its state in `configDir`, never retries. */
export function claudeEnv(fake: FakeModel, configDir: string): Record<string, string> {
  return { ...fakeModelEnv(fake.url), CLAUDE_CONFIG_DIR: configDir, HOME: TEST_HOME };
}
