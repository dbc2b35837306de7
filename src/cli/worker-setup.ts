// What a worker needs besides a connection: the claude binary, the artifacts folder, and for
// rehearsals the scripted model in place of Anthropic's API.
import { createRequire } from 'node:module';
import path from 'node:path';
import type { ActivityDeps } from '../activities/index.js';
import { openArtifactStore } from '../artifacts/open-store.js';
import type { ArtifactStore } from '../artifacts/store.js';
import type { Config } from '../config/index.js';
import { workerPolicy } from '../config/policy.js';
import { ownerOnlyDirSync, ownerOnlyHome } from '../files/owner-only.js';
import { WIDEN, type WorkerPolicy } from '../policy/worker-policy.js';
import { findOnPath, isExecutable } from '../client/which.js';
import { fakeModelEnv } from '../rehearsal/env.js';
import { FakeModel } from '../rehearsal/fake-model.js';

/** `claude` from BATON_CLAUDE_BIN or PATH; failing that, the one installed with baton's packages. */
export function resolveClaudeBin(config: Pick<Config, 'claudeBin' | 'searchPath'>): string {
  if (config.claudeBin !== 'claude') return config.claudeBin;
  const onPath = findOnPath('claude', config.searchPath);
  if (onPath) return onPath;
  try {
    const require = createRequire(import.meta.url);
    const pkg = path.dirname(require.resolve('@anthropic-ai/claude-code/package.json'));
    const bin = path.join(pkg, 'bin', 'claude.exe');
    if (isExecutable(bin)) return bin;
  } catch {
    // not installed with baton: fall through, the activity reports ClaudeNotFound with a hint
  }
  return 'claude';
}

/**
 * The configured artifact store, once it answers: a worker that could not keep its results (bucket missing,
 * credentials refused, endpoint unreachable) must not take tasks (ArtifactStoreError: exit 2).
 */
export async function checkedArtifactStore(config: Config): Promise<ArtifactStore> {
  const store = openArtifactStore(config);
  await store.check();
  return store;
}

/**
 * What the activities need; without a store, artifacts stay in the local folder. `policy`: the worker's (default:
 * the environment's settings over the folder baton was started in).
 */
export function activityDeps(
  config: Config,
  env?: Record<string, string>,
  store?: ArtifactStore,
  policy: WorkerPolicy = workerPolicy(config.policy, { defaultRoots: [config.cwd] }),
): ActivityDeps {
  ownerOnlyHome(config.home);
  ownerOnlyDirSync(config.artifactsDir);
  return {
    artifactsDir: config.artifactsDir,
    store,
    worktreesDir: path.join(config.home, 'worktrees'),
    policy,
    claudeBin: resolveClaudeBin(config),
    env,
  };
}

/** One line for a worker's start: what plans may do here, and how to allow more. */
export function policySummary(policy: WorkerPolicy): string {
  const bypass = policy.allowBypassPermissions
    ? 'bypassPermissions allowed'
    : `no bypassPermissions (${WIDEN.bypass} allows it)`;
  const commands = policy.noCommands ? `; verify commands refused (${WIDEN.commands})` : '';
  return `Agents work under ${policy.workspaceRoots.join(', ')} (${WIDEN.roots}); ${bypass}${commands}.`;
}

export interface Rehearsal {
  model: FakeModel;
  env: Record<string, string>;
  stop(): Promise<void>;
}

/** The scripted model that completes every task and writes its expected outputs (no API key needed). */
export async function startRehearsal(config: Config): Promise<Rehearsal> {
  const model = await FakeModel.start({ rehearse: true });
  const configDir = path.join(config.home, 'rehearsal', 'claude-config');
  ownerOnlyHome(config.home);
  ownerOnlyDirSync(configDir);
  return { model, env: { ...fakeModelEnv(model.url), CLAUDE_CONFIG_DIR: configDir }, stop: () => model.stop() };
}
