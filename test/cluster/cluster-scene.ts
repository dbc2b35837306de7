// What the cluster tests share: a private Temporal cluster (test/helpers/cluster.ts), a sandbox whose baton
// commands reach it, examples/diamond.yaml in the sandbox's cwd run by `baton start` + `baton worker` against a
// scripted model, and what the run's history says: how many times each task's agent started, and every workflow
// task that failed.
import assert from 'node:assert/strict';
import { copyFile } from 'node:fs/promises';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { ResultPromise } from 'execa';
import { FakeModel, type TaskScript } from '../../src/rehearsal/fake-model.js';
import type { RunStatus } from '../../src/workflows/status.js';
import { describeResult, jsonOf, REPO_ROOT, sandbox, stopProcess, waitFor, type Sandbox } from '../helpers/cli.js';
import { startTestCluster, type TestCluster } from '../helpers/cluster.js';
import { forAllTests } from '../helpers/for-all-tests.js';
import { modelSandbox } from '../helpers/worker-scene.js';

/** The four tasks of examples/diamond.yaml, in plan order. */
export const DIAMOND_TASKS = ['map-endpoints', 'security-review', 'performance-review', 'report'] as const;
export type DiamondTask = (typeof DIAMOND_TASKS)[number];

/** What each task of examples/diamond.yaml must write. */
export const DIAMOND_OUTPUTS: Record<DiamondTask, string> = {
  'map-endpoints': 'out/endpoints.md',
  'security-review': 'out/security.md',
  'performance-review': 'out/performance.md',
  report: 'out/review.md',
};

export interface ClusterScene {
  cluster: TestCluster;
  /** Wall time of the file so far, from before the cluster started. */
  elapsedMs(): number;
  close(): Promise<void>;
}

export async function clusterScene(): Promise<ClusterScene> {
  const started = Date.now();
  const cluster = await startTestCluster();
  const f = cluster.figures;
  console.log(
    `[cluster] ${cluster.shards} shards at ${cluster.address}: started in ${f.startMs} ms (PostgreSQL ${f.postgresMs} ms, ` +
      `schema ${f.schemaMs} ms, server ${f.serverMs} ms; provisioning check ${f.provisionMs} ms)`,
  );
  return { cluster, elapsedMs: () => Date.now() - started, close: () => cluster.close() };
}

/** The cluster scene shared by the tests of `file`: closed after them, with a line of the file's wall time. */
export function clusterSceneForAllTests(file: string): ClusterScene {
  return forAllTests(clusterScene, async (scene) => {
    await scene.close();
    console.log(`[cluster] ${file}: ${scene.elapsedMs()} ms in all`);
  });
}

/** A sandbox whose commands reach the cluster (and `fake`, if given), with examples/diamond.yaml in its cwd. */
export async function diamondSandbox(name: string, cluster: TestCluster, fake?: FakeModel): Promise<Sandbox> {
  const box = fake ? await modelSandbox(name, fake, cluster.env) : await sandbox(name, cluster.env);
  await copyFile(path.join(REPO_ROOT, 'examples', 'diamond.yaml'), path.join(box.cwd, 'diamond.yaml'));
  return box;
}

export interface RunHistory {
  /** Task id → attempts its agent (runAgent) started, summed over the task's activities. */
  agentStarts: Record<string, number>;
  /** The cause and message of each failed workflow task. */
  workflowTaskFailures: string[];
}

export async function runHistory(cluster: TestCluster, runId: string): Promise<RunHistory> {
  const connection = await Connection.connect({ address: cluster.address });
  try {
    const client = new Client({ connection, namespace: cluster.namespace });
    const history = await client.workflow.getHandle(runId).fetchHistory();
    const agentOf = new Map<string, string>();
    const agentStarts: Record<string, number> = {};
    const workflowTaskFailures: string[] = [];
    for (const event of history.events ?? []) {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (scheduled?.activityType?.name === 'runAgent') {
        // An agent's activity id is <task id>.<generation>.
        agentOf.set(String(event.eventId), (scheduled.activityId ?? '').replace(/\.\d+$/, ''));
      }
      const started = event.activityTaskStartedEventAttributes;
      const task = started && agentOf.get(String(started.scheduledEventId));
      // The history keeps one started event per activity, of its last attempt: `attempt` counts them all.
      if (started && task) agentStarts[task] = (agentStarts[task] ?? 0) + (started.attempt ?? 1);
      const failed = event.workflowTaskFailedEventAttributes;
      if (failed) {
        const cause = proto.temporal.api.enums.v1.WorkflowTaskFailedCause[failed.cause ?? 0];
        workflowTaskFailures.push(`${cause}: ${failed.failure?.message ?? ''}`);
      }
    }
    return { agentStarts, workflowTaskFailures };
  } finally {
    await connection.close();
  }
}

/** Each task writes its file (a Write turn), then ends (a text turn); every answer after `delayMs`. */
export function diamondScript(delayMs: Partial<Record<DiamondTask, number>> = {}): Record<string, TaskScript> {
  return Object.fromEntries(
    DIAMOND_TASKS.map((id): [string, TaskScript] => [
      id,
      {
        turns: [{ write: { path: DIAMOND_OUTPUTS[id], content: `written by ${id}\n` } }, { text: `${id} done` }],
        delayMs: delayMs[id] ?? 0,
      },
    ]),
  );
}

/** The task's requests that came after its first answer: 1 when its agent reached the end once. */
export function answersPastFirst(fake: FakeModel, id: string): number {
  return fake.requestsFor(id).filter((r) => r.assistantTurns >= 1).length;
}

export interface DiamondRun {
  box: Sandbox;
  fake: FakeModel;
  runId: string;
  /** The `baton worker` serving the sandbox's task queue. */
  worker: ResultPromise;
  /** `baton result --json` of the run, once it has ended. */
  result(): Promise<RunStatus>;
  close(): Promise<void>;
}

/**
 * examples/diamond.yaml started with `baton start` on the cluster, then one `baton worker` for it (so the run's first
 * workflow task comes the moment the worker has set up its search attributes), the real claude against `fake`.
 */
export async function startDiamond(
  name: string,
  cluster: TestCluster,
  script: Record<string, TaskScript>,
): Promise<DiamondRun> {
  const fake = await FakeModel.start({ script, rehearse: false });
  const box = await diamondSandbox(name, cluster, fake);
  const runId = `${name}-${Date.now().toString(36)}`;
  const start = await box.baton(['start', 'diamond.yaml', '--id', runId, '--json']);
  if (start.exitCode !== 0) throw new Error(describeResult(start));
  const worker = box.spawn(['worker']);
  return {
    box,
    fake,
    runId,
    worker,
    async result() {
      const result = await box.baton(['result', runId, '--json'], { timeoutMs: 240_000 });
      if (result.exitCode !== 0) throw new Error(`${describeResult(result)}\n--- worker\n${String(worker.all ?? '')}`);
      return jsonOf<RunStatus>(result);
    },
    async close() {
      await stopProcess(worker, 10_000);
      await fake.stop();
      await box.cleanup();
    },
  };
}

/** How long each review's answers take in the disruption tests: the disruption comes between its two. */
const REVIEW_ANSWER_MS = 6_000;

export interface Disrupted {
  final: RunStatus;
  history: RunHistory;
  /** Task id → the agent's requests after its first answer (1: it reached its end once). */
  pastFirst: Record<string, number>;
  /** Requests of map-endpoints, which had finished before the disruption. */
  firstTaskRequests: number;
  /** From the disruption's start until the cluster served again, and from then until the run's end. */
  downMs: number;
  afterMs: number;
}

/**
 * examples/diamond.yaml on the cluster, disrupted by `disrupt` (which resolves once the cluster serves again) when
 * map-endpoints has finished and both reviews are between their two turns: their agents run on meanwhile.
 */
export async function diamondThrough(
  name: string,
  cluster: TestCluster,
  disrupt: () => Promise<void>,
): Promise<Disrupted> {
  const reviews = ['security-review', 'performance-review'];
  const script = diamondScript(Object.fromEntries(reviews.map((id) => [id, REVIEW_ANSWER_MS])));
  const run = await startDiamond(name, cluster, script);
  try {
    const answered = (id: string) => run.fake.requestsFor(id).filter((r) => r.answeredAt !== null).length;
    await waitFor(
      'map-endpoints to finish and both reviews to have their first answer',
      async () => (answered('map-endpoints') === 2 && reviews.every((id) => answered(id) >= 1) ? true : undefined),
      120_000,
    );
    const firstTaskRequests = run.fake.requestsFor('map-endpoints').length;
    const disrupted = Date.now();
    await disrupt();
    const back = Date.now();
    const final = await run.result();
    return {
      final,
      history: await runHistory(cluster, run.runId),
      pastFirst: Object.fromEntries(DIAMOND_TASKS.map((id) => [id, answersPastFirst(run.fake, id)])),
      firstTaskRequests,
      downMs: back - disrupted,
      afterMs: Date.now() - back,
    };
  } finally {
    await run.close();
  }
}

/**
 * The disrupted diamond recovered: every task succeeded, map-endpoints (finished `before` the disruption) started its
 * agent once and was not asked again, and every agent reached its end once.
 */
export function assertRecovered(outcome: Disrupted, before: string): void {
  const { final, history } = outcome;
  assert.equal(final.phase, 'completed', JSON.stringify(final.tasks.map((t) => [t.id, t.state, t.error])));
  assert.deepEqual(
    final.tasks.map((t) => [t.id, t.state]),
    DIAMOND_TASKS.map((id) => [id, 'succeeded']),
  );
  assert.equal(history.agentStarts['map-endpoints'], 1, `map-endpoints, finished before ${before}, started once`);
  assert.equal(outcome.firstTaskRequests, 2);
  assert.deepEqual(
    outcome.pastFirst,
    Object.fromEntries(DIAMOND_TASKS.map((id) => [id, 1])),
    'agents past their first answer',
  );
}
