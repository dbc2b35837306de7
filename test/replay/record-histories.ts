// (Re)records the histories the replay test (test/workflow/replay.test.ts) replays: real runs of `orchestrate`
// (real claude, scripted model) covering retries, interventions (an approval gate, retryTask after a failure,
// guide), continue-as-new, a verify round given back to its agent, the plan's verify failing after a merge, a warm
// agent, and the two ways a run ends cancelled (an abort, Temporal's cancellation), written as
// JSON into test/histories/. Run after a deliberate workflow change:
//   npm run build && node dist/test/replay/record-histories.js [scenario …]   (default: every scenario)
// (uses BATON_TEST_TEMPORAL_ADDRESS when set, else starts a dev server of its own).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { execa } from 'execa';
import { abortUpdate, approveUpdate, retryTaskUpdate } from '../../src/workflows/messages.js';
import { initRepo } from '../helpers/git-repo.js';
import { plan, withHarness, workflowTemporal, type Harness } from '../helpers/workflow-harness.js';

// Compiled, this file is dist/test/replay/record-histories.js; the histories live in the sources.
export const HISTORIES_DIR = fileURLToPath(new URL('../../../test/histories/', import.meta.url));

/**
 * The history in Temporal's standard JSON form, from the `temporal` CLI (the SDK's historyToJSON fails here:
 * @temporalio/common bundles a protobufjs of its own, whose Type check rejects @temporalio/proto's types).
 */
async function save(address: string, name: string, handle: WorkflowHandle, runId?: string): Promise<void> {
  const args = ['workflow', 'show', '--address', address, '--workflow-id', handle.workflowId, '--output', 'json'];
  if (runId) args.push('--run-id', runId);
  const { stdout } = await execa(process.env.TEMPORAL_CLI_PATH ?? 'temporal', args);
  const history = JSON.parse(stdout) as { events: unknown[] };
  await writeFile(path.join(HISTORIES_DIR, `${name}.json`), JSON.stringify(history, null, 1) + '\n');
  console.log(`recorded ${name}: ${history.events.length} events`);
}

type Scenario = (h: Harness, address: string) => Promise<void>;

/** A run of these tasks left alone to its end, recorded as `name` (its plan named `replay-<name>`). */
const toTheEnd =
  (name: string, tasks: Parameters<typeof plan>[1]): Scenario =>
  async (h, address) => {
    const handle = await h.start(plan(`replay-${name}`, tasks));
    await h.result(handle);
    await save(address, name, handle);
  };

/** A run stopped while one agent runs: one task done, one running, one waiting on it, one at a gate. */
const stoppedTasks = [
  { id: 'quick', prompt: 'Done at once.' },
  { id: 'hang', prompt: 'Never answered.' },
  { id: 'after', prompt: 'After hang.', dependsOn: ['hang'] },
  { id: 'gate', prompt: 'Needs a yes.', approval: 'before' as const },
];

const scenarios: Record<string, { script: NonNullable<Parameters<typeof withHarness>[1]['script']>; run: Scenario }> = {
  // Temporal's retries: two 429s, then success; a dependent runs after.
  retries: {
    script: { flaky: { failFirst: [{ status: 429 }, { status: 429 }], turns: [{ text: 'third time lucky' }] } },
    run: toTheEnd('retries', [
      { id: 'flaky', prompt: 'Fails twice.' },
      { id: 'after', prompt: 'Then this.', dependsOn: ['flaky'] },
    ]),
  },
  // People step in: an approval gate, a non-retryable failure that waits, retryTask with a new prompt.
  interventions: {
    script: { broken: { failFirst: [{ status: 400, message: 'bad request' }], turns: [{ text: 'fixed' }] } },
    async run(h, address) {
      const handle = await h.start(
        plan('replay-interventions', [
          { id: 'gated', prompt: 'Needs a yes first.', approval: 'before' },
          { id: 'broken', prompt: 'Fails at once.' },
          { id: 'last', prompt: 'After both.', dependsOn: ['gated', 'broken'] },
        ]),
      );
      await h.waitFor(handle, (s) => s.tasks.some((t) => t.id === 'gated' && t.state === 'awaiting-approval'), 'gate');
      await handle.executeUpdate(approveUpdate, { args: [{ taskId: 'gated', note: 'go' }] });
      await h.waitFor(handle, (s) => s.tasks.some((t) => t.id === 'broken' && t.state === 'failed'), 'failure');
      await handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 'broken', prompt: 'Try again.' }] });
      await h.result(handle);
      await save(address, 'interventions', handle);
    },
  },
  // History kept bounded: continue-as-new after a few events, carrying the state; both runs recorded.
  'continue-as-new': {
    script: {},
    async run(h, address) {
      const tasks = ['one', 'two', 'three', 'four'].map((id, i, all) => ({
        id,
        prompt: `Step ${id}.`,
        dependsOn: i === 0 ? [] : [all[i - 1]!],
      }));
      const handle = await h.start(plan('replay-can', tasks), { continueAsNewAfterEvents: 20 });
      await h.result(handle);
      await save(address, 'continue-as-new-first', handle, handle.firstExecutionRunId);
      await save(address, 'continue-as-new-last', handle);
    },
  },
  // Verified, not just finished (DESIGN §11): the check fails (a verify command; a missing expected output), the
  // agent's conversation gets the failure, it passes.
  verify: {
    script: {
      checked: { turns: [{ text: 'Done, I think.' }, { write: { path: 'ok.txt', content: 'ok\n' } }] },
      forgetful: { turns: [{ text: 'Done without it.' }, { write: { path: 'out.txt', content: 'out\n' } }] },
    },
    async run(h, address) {
      const check = "process.exit(require('fs').existsSync('ok.txt') ? 0 : 1)";
      const handle = await h.start(
        plan('replay-verify', [
          { id: 'checked', prompt: 'Passes on the second try.', verify: [[process.execPath, '-e', check]] },
          { id: 'forgetful', prompt: 'Told of its missing output, writes it.', expectedOutputs: ['out.txt'] },
          { id: 'after', prompt: 'Then this.', dependsOn: ['checked', 'forgetful'] },
        ]),
      );
      await h.result(handle);
      await save(address, 'verify', handle);
    },
  },
  // The plan's own verify (DESIGN §11, worktree isolation): it fails after a task's merge (undone), a person's retry
  // continues the agent's conversation, the new merge passes; its dependent runs after.
  'plan-verify': {
    script: {
      mend: {
        turns: [
          { write: { path: 'mend.txt', content: 'bad\n' } },
          { text: 'wrote it' },
          { bash: "printf 'good\\n' > mend.txt" },
          { text: 'mended' },
        ],
      },
    },
    async run(h, address) {
      await initRepo(h.cwd);
      const check = "process.exit(require('fs').readFileSync('mend.txt', 'utf8').includes('bad') ? 1 : 0)";
      const handle = await h.start(
        plan(
          'replay-plan-verify',
          [
            { id: 'mend', prompt: 'Fails the check once.' },
            { id: 'after', prompt: 'Then this.', dependsOn: ['mend'] },
          ],
          { workspace: { isolation: 'worktree' }, verify: [[process.execPath, '-e', check]] },
        ),
      );
      await h.waitFor(handle, (s) => s.tasks.some((t) => t.state === 'verification-failed'), 'verification-failed');
      await handle.executeUpdate(retryTaskUpdate, { args: [{ taskId: 'mend' }] });
      await h.result(handle);
      await save(address, 'plan-verify', handle);
    },
  },
  // Warm agents (DESIGN §5): the dependent's conversation id is chosen when its dependency starts (patched
  // baton-warm-agent), and the harness's worker starts its claude ahead.
  'warm-agent': {
    script: {},
    run: toTheEnd('warm-agent', [
      { id: 'first', prompt: 'First.' },
      { id: 'second', prompt: 'Then this, started ahead.', dependsOn: ['first'] },
    ]),
  },
  // A person's abort while an agent runs: the run ends as Temporal's Canceled, its final status in the details.
  aborted: {
    script: { hang: { hang: true } },
    async run(h, address) {
      const handle = await h.start(plan('replay-aborted', stoppedTasks));
      await h.waitFor(handle, (s) => s.tasks.some((t) => t.id === 'hang' && t.state === 'running'), 'hang running');
      await handle.executeUpdate(abortUpdate, { args: [{ reason: 'enough' }] });
      await h.result(handle);
      await save(address, 'aborted', handle);
    },
  },
  // Temporal's own cancellation (the Web UI's Request Cancellation): the same end.
  cancelled: {
    script: { hang: { hang: true } },
    async run(h, address) {
      const handle = await h.start(plan('replay-cancelled', stoppedTasks));
      await h.waitFor(handle, (s) => s.tasks.some((t) => t.id === 'hang' && t.state === 'running'), 'hang running');
      await handle.cancel();
      await h.result(handle);
      await save(address, 'cancelled', handle);
    },
  },
};

async function main(): Promise<void> {
  const temporal = await workflowTemporal();
  const chosen = process.argv.slice(2);
  try {
    for (const [name, scenario] of Object.entries(scenarios)) {
      if (chosen.length > 0 && !chosen.includes(name)) continue;
      await withHarness(temporal, { script: scenario.script }, (h) => scenario.run(h, temporal.address));
      console.log(`scenario ${name} done`);
    }
  } finally {
    await temporal.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
