// Which claude config folder (and so which stored conversations) an attempt uses: the worker's CLAUDE_CONFIG_DIR
// unless what the worker adds for its agents says otherwise, claude's default without either.
import assert from 'node:assert/strict';
import { homedir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { agentConfigDir } from '../../src/activities/agent-env.js';

test("the worker's CLAUDE_CONFIG_DIR, what the worker adds for agents over it, claude's default without either", () => {
  const worker = { CLAUDE_CONFIG_DIR: '/srv/claude', HOME: '/home/w' };
  assert.equal(agentConfigDir(undefined, worker), '/srv/claude');
  assert.equal(agentConfigDir({ OTHER: 'x' }, worker), '/srv/claude');
  assert.equal(agentConfigDir({ CLAUDE_CONFIG_DIR: 'rel/dir' }, worker), path.resolve('rel/dir'));
  // A variable the worker removes for its agents (undefined) is removed: claude's default folder.
  assert.equal(agentConfigDir({ CLAUDE_CONFIG_DIR: undefined }, worker), path.join(homedir(), '.claude'));
  assert.equal(agentConfigDir(undefined, {}), path.join(homedir(), '.claude'));
});
