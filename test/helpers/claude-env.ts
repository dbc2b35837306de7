// Running the real `claude` binary against a FakeModel in tests.
import { fileURLToPath } from 'node:url';
import type { FakeModel } from '../../src/rehearsal/fake-model.js';
import { fakeModelEnv } from '../../src/rehearsal/env.js';

// Compiled, this file is dist/test/helpers/claude-env.js: the repository root is three levels up.
const REPO_ROOT = new URL('../../../', import.meta.url);

/** The Claude Code CLI installed as a dev dependency (a native binary). */
export const CLAUDE_BIN = fileURLToPath(new URL('node_modules/.bin/claude', REPO_ROOT));

/** claude's environment for a test: talks only to `fake`, keeps its state in `configDir`, never retries. */
export function claudeEnv(fake: FakeModel, configDir: string): Record<string, string> {
  return { ...fakeModelEnv(fake.url), CLAUDE_CONFIG_DIR: configDir };
}
