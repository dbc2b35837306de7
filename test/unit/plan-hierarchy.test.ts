// Plans within plans (DESIGN.md §10), the plan layer: a task's `plan` (inline, or a file relative to its plan) or
// `goal`; every rule checked at every level with file:line:column in the right file; cycles of files refused;
// file sub-plans inlined (only what they set themselves); maxDepth; subgraphs in `baton graph`.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { plannerJsonSchema } from '../../src/activities/plan-goal.js';
import { buildPlannerPrompt } from '../../src/activities/planner-prompt.js';
import { formatIssue, PlanError } from '../../src/plan/errors.js';
import { NEEDS_ONE_KIND } from '../../src/plan/hierarchy.js';
import { loadPlanFile, parsePlanText, validatePlanObject } from '../../src/plan/load.js';
import { toMermaid } from '../../src/plan/mermaid.js';
import { resolvePlanPaths } from '../../src/plan/resolve.js';
import { withoutRouting, type Plan } from '../../src/plan/schema.js';
import { countTasks, depthOf, forEachTask } from '../../src/plan/tree.js';

let root: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'baton-hierarchy-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

async function files(tree: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(tree)) {
    await mkdir(path.dirname(path.join(root, name)), { recursive: true });
    await writeFile(path.join(root, name), text);
  }
}

/** The problems of loading `file` (relative to the test's folder), as `file:line:col path: message` lines. */
async function problems(file: string): Promise<string[]> {
  const error = await loadPlanFile(path.join(root, file)).then(
    () => assert.fail(`${file} loaded without a problem`),
    (err: unknown) => err,
  );
  assert.ok(error instanceof PlanError, String(error));
  return error.issues.map((issue) => formatIssue({ ...issue, file: path.relative(root, issue.file ?? '') }));
}

const INLINE = `version: 1
name: shop
goal: Build the shop
tasks:
  - id: schema
    prompt: Design the tables.
  - id: backend
    dependsOn: [schema]
    plan:
      maxParallel: 2
      tasks:
        - id: db
          prompt: Write the migrations.
        - id: api
          prompt: Write the API.
          dependsOn: [db]
  - id: frontend
    goal: Build the login page
    approval: before
    dependsOn: [backend]
`;

void test('a plan with an inline sub-plan and a sub-goal loads, and its tree is walked with path ids and levels', () => {
  const plan = parsePlanText(INLINE, 'shop.yaml');
  const seen: string[] = [];
  forEachTask(plan, (task, id, level) => seen.push(`${id}@${level}`));
  assert.deepEqual(seen, ['schema@1', 'backend@1', 'backend/db@2', 'backend/api@2', 'frontend@1']);
  assert.deepEqual(countTasks(plan), { all: 5, agents: 3 });
  assert.equal(depthOf(plan), 2);
  const backend = plan.tasks[1]!;
  assert.equal(typeof backend.plan, 'object');
  assert.equal(backend.prompt, undefined);
  assert.equal(plan.tasks[2]!.goal, 'Build the login page');
});

void test('every rule of sub-plans is checked at its place in an inline sub-plan, with file:line:column', () => {
  const text = `version: 1
name: p
tasks:
  - id: a
    prompt: A
  - id: b
    approval: after
    contextFiles: [notes.md]
    plan:
      tasks:
        - id: x
          prompt: X
          dependsOn: [biuld]
        - id: build
          promt: Y
          plan: { tasks: [ { id: z, goal: too deep } ] }
        - id: w
  - id: c
    prompt: C
    goal: G
`;
  assert.throws(
    () => parsePlanText(text, 'p.yaml'),
    (err: unknown) => {
      assert.ok(err instanceof PlanError);
      assert.deepEqual(err.issues.map(formatIssue), [
        'p.yaml:7:15 tasks[1].approval: "after" reviews one agent\'s result; a task with a plan or a goal takes "before" (for a goal: its sub-plan waits for approval) or none',
        'p.yaml:8:19 tasks[1].contextFiles: a task with a plan or a goal has no agent of its own: put contextFiles on the tasks of its sub-plan',
        'p.yaml:13:23 tasks[1].plan.tasks[0].dependsOn[0]: task "x" depends on "biuld", but no task has that id (did you mean "build"?)',
        'p.yaml:15:11 tasks[1].plan.tasks[1].promt: unknown key "promt" (did you mean "prompt"?)',
        'p.yaml:16:43 tasks[1].plan.tasks[1].plan.tasks[0].goal: a sub-plan here would be level 4, deeper than maxDepth 3 allows (the plan itself is level 1)',
        `p.yaml:17:11 tasks[1].plan.tasks[2].prompt: ${NEEDS_ONE_KIND}`,
        'p.yaml:20:11 tasks[2].goal: give a task only one of prompt, plan and goal',
      ]);
      return true;
    },
  );
});

void test('maxDepth bounds nesting: the plan may raise or lower it, a sub-plan only lower it', () => {
  const nested = (depth: number, extra = ''): unknown => {
    let task: Record<string, unknown> = { id: 'leaf', prompt: 'x' };
    for (let i = 1; i < depth; i++) task = { id: `l${i}`, plan: { tasks: [task] } };
    return { version: 1, name: 'p', ...(extra ? { maxDepth: Number(extra) } : {}), tasks: [task] };
  };
  assert.equal(validatePlanObject(nested(3)).ok, true, 'three levels: the default');
  const four = validatePlanObject(nested(4));
  assert.equal(four.ok, false);
  assert.equal(validatePlanObject(nested(4, '4')).ok, true, 'maxDepth: 4 allows four');
  assert.equal(validatePlanObject(nested(2, '1')).ok, false, 'maxDepth: 1 allows no sub-plan');
  const lowered = validatePlanObject({
    version: 1,
    name: 'p',
    tasks: [{ id: 'a', plan: { maxDepth: 2, tasks: [{ id: 'b', plan: { tasks: [{ id: 'c', prompt: 'x' }] } }] } }],
  });
  assert.equal(lowered.ok, false, "a sub-plan's maxDepth: 2 leaves no room for its own sub-plan");
  // The run of a sub-plan knows its level: its own sub-goals are checked against the run's maxDepth.
  const goal = { version: 1, name: 'p', tasks: [{ id: 'a', goal: 'more' }] };
  assert.equal(validatePlanObject(goal, undefined, { level: 2, maxDepth: 3 }).ok, true);
  assert.equal(validatePlanObject(goal, undefined, { level: 3, maxDepth: 3 }).ok, false);
});

void test('a plan given as text, a planner answer or a workflow input cannot name sub-plan files', () => {
  const text = 'version: 1\nname: p\ntasks:\n  - id: a\n    plan: sub.yaml\n';
  assert.throws(
    () => parsePlanText(text, 'p.yaml'),
    /p\.yaml:5:11 tasks\[0\]\.plan: a sub-plan file is read when baton loads a plan file; here give the sub-plan inline/,
  );
});

void test('sub-plan files load relative to the plan that names them, recursively, and are inlined with what they set', async () => {
  await files({
    'tree/main.yaml': `version: 1
name: main
onFailure: continue
tasks:
  - id: schema
    prompt: S
  - id: backend
    plan: plans/backend.yaml
    dependsOn: [schema]
`,
    'tree/plans/backend.yaml': `version: 1
name: backend
maxParallel: 2
tasks:
  - id: db
    prompt: DB
  - id: api
    plan: api/api.yaml
    dependsOn: [db]
`,
    'tree/plans/api/api.yaml': `version: 1
name: api
goal: The API
tasks:
  - id: routes
    prompt: R
`,
  });
  const plan = await loadPlanFile(path.join(root, 'tree/main.yaml'));
  const backend = plan.tasks[1]!.plan;
  assert.ok(typeof backend === 'object');
  // Only what the file sets: onFailure (not written) stays the parent's to give, maxParallel (written) is kept.
  assert.deepEqual(Object.keys(backend).sort(), ['maxParallel', 'name', 'tasks']);
  assert.equal(backend.maxParallel, 2);
  const api = backend.tasks[1]!.plan;
  assert.ok(typeof api === 'object');
  assert.deepEqual(api.goal, 'The API');
  assert.deepEqual(
    api.tasks.map((t) => t.id),
    ['routes'],
  );
});

void test("a sub-plan file's problems are placed in that file; unreadable files, workspaces and cycles at their place", async () => {
  await files({
    'bad/main.yaml': `version: 1
name: main
tasks:
  - id: backend
    plan: plans/backend.yaml
  - id: loop
    plan: plans/loop-a.yaml
`,
    'bad/plans/backend.yaml': `version: 1
name: backend
tasks:
  - id: db
    prompt: DB
  - id: api
    prompt: API
    dependsOn: [dbb]
`,
    'bad/plans/loop-a.yaml': `version: 1
name: la
workspace: { repo: . }
tasks:
  - id: b
    plan: loop-b.yaml
  - id: missing
    plan: nope.yaml
`,
    'bad/plans/loop-b.yaml': `version: 1
name: lb
maxDepth: 10
tasks:
  - id: a
    plan: loop-a.yaml
`,
  });
  const found = await problems('bad/main.yaml');
  assert.deepEqual(found, [
    'bad/plans/backend.yaml:8:17 tasks[1].dependsOn[0]: task "api" depends on "dbb", but no task has that id (did you mean "db"?)',
    'bad/plans/loop-a.yaml:3:12 workspace: a sub-plan works in the workspace of the plan above it: remove "workspace" here',
    'bad/plans/loop-b.yaml:6:11 tasks[0].plan: a sub-plan here would be level 4, deeper than maxDepth 3 allows (the plan itself is level 1)',
    `bad/plans/loop-b.yaml:6:11 tasks[0].plan: sub-plan files form a cycle: ${['loop-a', 'loop-b', 'loop-a'].map((f) => path.relative('.', path.join(root, `bad/plans/${f}.yaml`))).join(' → ')}`,
    `bad/plans/loop-a.yaml:8:11 tasks[1].plan: sub-plan ${path.join(root, 'bad/plans/nope.yaml')}: cannot read the plan file: no such file`,
  ]);
});

void test('paths of sub-plan tasks resolve against the one workspace, and routing is dropped at every level', () => {
  const plan = parsePlanText(
    `version: 1
name: p
defaults: { taskQueue: gpu }
tasks:
  - id: a
    plan:
      defaults: { taskQueue: other }
      tasks:
        - { id: b, prompt: B, taskQueue: third, contextFiles: [docs/b.md] }
`,
  );
  const resolved = resolvePlanPaths(plan, '/work/app');
  const sub = resolved.tasks[0]!.plan as Exclude<Plan['tasks'][number]['plan'], string | undefined>;
  assert.deepEqual(sub.tasks[0]!.contextFiles, ['/work/app/docs/b.md']);
  const unrouted = withoutRouting(resolved);
  const inner = unrouted.tasks[0]!.plan as typeof sub;
  assert.equal(unrouted.defaults?.taskQueue, undefined);
  assert.equal(inner.defaults?.taskQueue, undefined);
  assert.equal(inner.tasks[0]!.taskQueue, undefined);
});

void test('baton graph draws an inline sub-plan as a subgraph and a sub-goal as a rounded node, coloured by path id', () => {
  const plan = parsePlanText(INLINE);
  const states = { backend: 'running', 'backend/db': 'succeeded', frontend: 'pending' };
  assert.equal(
    toMermaid(plan, { states }),
    [
      'flowchart TD',
      '  t0["schema"]',
      '  subgraph t1["backend"]',
      '    t1_0["db"]',
      '    t1_1["api"]',
      '    t1_0 --> t1_1',
      '  end',
      '  t2(["frontend<br/>goal: Build the login page<br/>approval: before"])',
      '  t0 --> t1',
      '  t1 --> t2',
      '  classDef running fill:#dbeafe,stroke:#2563eb,color:#1e3a8a,stroke-width:2px',
      '  class t1 running',
      '  classDef succeeded fill:#dcfce7,stroke:#16a34a,color:#14532d',
      '  class t1_0 succeeded',
      '  classDef pending fill:#f4f4f5,stroke:#a1a1aa,color:#3f3f46',
      '  class t2 pending',
      '',
    ].join('\n'),
  );
});

void test("a sub-goal's planner is told where its plan fits, and may give sub-goals only above maxDepth", () => {
  const prompt = buildPlannerPrompt({
    instructions: 'Plan.',
    goal: 'Build the login page',
    cwd: '/work/app',
    agents: [],
    agentsSource: '/work/app/.claude/agents',
    feedback: [],
    previous: null,
    hierarchy: {
      level: 3,
      maxDepth: 3,
      taskPath: 'web/frontend',
      parentGoals: ['Build the shop', 'The web side'],
      dependencies: [
        { id: 'backend', title: 'Backend', state: 'succeeded', summary: 'API at /api', artifactPath: '/a/b.md' },
      ],
    },
  });
  assert.match(prompt, /^# Task: planner\n/);
  assert.match(prompt, /task `web\/frontend` of a larger run \(plan level 3 of at most 3\)/);
  assert.match(prompt, /- Build the shop\n- The web side/);
  assert.match(prompt, /### backend: Backend\n\nAPI at \/api\n\nFull result: \/a\/b\.md/);
  assert.match(prompt, /no task may carry a `goal`/);
  const deep = plannerJsonSchema(false) as {
    properties: { tasks: { items: { properties: object; required: string[] } } };
  };
  assert.ok(!('goal' in deep.properties.tasks.items.properties) && !('plan' in deep.properties.tasks.items.properties));
  assert.ok(deep.properties.tasks.items.required.includes('prompt'));
  const shallow = plannerJsonSchema(true) as typeof deep;
  assert.ok(
    'goal' in shallow.properties.tasks.items.properties && !('plan' in shallow.properties.tasks.items.properties),
  );
});
