import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkDag,
  criticalPath,
  dependentsOf,
  topologicalOrder,
  transitiveDependents,
  type DagTask,
} from '../../src/plan/dag.js';

const diamond: DagTask[] = [
  { id: 'a', dependsOn: [] },
  { id: 'b', dependsOn: ['a'] },
  { id: 'c', dependsOn: ['a'] },
  { id: 'd', dependsOn: ['b', 'c'] },
];

/** A random DAG: every task depends on up to `fanIn` earlier tasks. */
function randomDag(size: number, fanIn: number, seed: number): DagTask[] {
  let state = seed;
  const random = (): number => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  return Array.from({ length: size }, (_, i) => {
    const deps = new Set<string>();
    for (let k = 0; i > 0 && k < fanIn; k++) deps.add(`t${Math.floor(random() * i)}`);
    return { id: `t${i}`, dependsOn: [...deps] };
  });
}

const chain = (length: number): DagTask[] =>
  Array.from({ length }, (_, i) => ({ id: `t${i}`, dependsOn: i === 0 ? [] : [`t${i - 1}`] }));

void test('a valid graph has no issues', () => {
  assert.deepEqual(checkDag(diamond), []);
});

void test('checkDag reports duplicates, unknown and self dependencies, and cycles with their paths', () => {
  const tasks: DagTask[] = [
    { id: 'a', dependsOn: ['c'] },
    { id: 'b', dependsOn: ['a', 'b', 'nope'] },
    { id: 'c', dependsOn: ['b'] },
    { id: 'a' },
  ];
  assert.deepEqual(checkDag(tasks), [
    { path: 'tasks[3].id', message: 'duplicate task id "a" (also used by tasks[0])' },
    { path: 'tasks[1].dependsOn[1]', message: 'task "b" depends on itself' },
    { path: 'tasks[1].dependsOn[2]', message: 'task "b" depends on "nope", but no task has that id' },
    {
      path: 'tasks[0].dependsOn[0]',
      message: 'dependency cycle: a → b → c → a (each task waits for the one before it)',
    },
  ]);
});

void test('a tangle of cycles is reported once per strongly connected group, by its shortest cycle', () => {
  const tasks: DagTask[] = [
    { id: 'a', dependsOn: ['d', 'b'] },
    { id: 'b', dependsOn: ['a'] },
    { id: 'c', dependsOn: ['b'] },
    { id: 'd', dependsOn: ['c'] },
  ];
  const issues = checkDag(tasks);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]?.path, 'tasks[0].dependsOn[1]');
  assert.equal(issues[0]?.message, 'dependency cycle: a → b → a (each task waits for the one before it)');
});

void test('checkDag on a 5,000-task random DAG is fast and clean', () => {
  const tasks = randomDag(5_000, 4, 42);
  const started = performance.now();
  assert.deepEqual(checkDag(tasks), []);
  assert.equal(topologicalOrder(tasks).length, 5_000);
  assert.ok(criticalPath(tasks).length > 1);
  assert.ok(performance.now() - started < 2_000, 'took more than 2 s');
});

void test('checkDag finds a cycle closing a 10,000-task chain without overflowing the stack', () => {
  const tasks = chain(10_000);
  assert.deepEqual(checkDag(tasks), []);
  assert.deepEqual(criticalPath(tasks).length, 10_000);
  assert.equal(transitiveDependents(tasks, 't0').length, 9_999);
  tasks[0] = { id: 't0', dependsOn: ['t9999'] };
  const issues = checkDag(tasks);
  assert.equal(issues.length, 1);
  assert.equal(
    issues[0]?.message,
    'dependency cycle: t0 → t1 → t2 → t3 → t4 → t5 → … 9990 more … → t9996 → t9997 → t9998 → t9999 → t0 ' +
      '(each task waits for the one before it)',
  );
});

void test('topologicalOrder puts dependencies first, keeping plan order among free tasks', () => {
  assert.deepEqual(topologicalOrder([{ id: 'z', dependsOn: ['y'] }, { id: 'y' }, { id: 'x' }]), ['y', 'x', 'z']);
  assert.deepEqual(topologicalOrder(diamond), ['a', 'b', 'c', 'd']);
});

void test('topologicalOrder and criticalPath refuse a cycle, naming it', () => {
  const cyclic: DagTask[] = [
    { id: 'p', dependsOn: ['q'] },
    { id: 'q', dependsOn: ['p'] },
  ];
  assert.throws(() => topologicalOrder(cyclic), /^Error: dependency cycle: p → q → p$/);
  assert.throws(() => criticalPath(cyclic), /dependency cycle/);
  assert.throws(() => topologicalOrder([{ id: 's', dependsOn: ['s'] }]), /task "s" depends on itself/);
});

void test('dependentsOf maps every task to its direct dependents', () => {
  assert.deepEqual(
    dependentsOf(diamond),
    new Map([
      ['a', ['b', 'c']],
      ['b', ['d']],
      ['c', ['d']],
      ['d', []],
    ]),
  );
});

void test('transitiveDependents lists everything downstream, nearest first, from tasks or a dependents map', () => {
  assert.deepEqual(transitiveDependents(diamond, 'a'), ['b', 'c', 'd']);
  assert.deepEqual(transitiveDependents(dependentsOf(diamond), 'b'), ['d']);
  assert.deepEqual(transitiveDependents(diamond, 'd'), []);
  assert.deepEqual(transitiveDependents(diamond, 'unknown'), []);
});

void test('criticalPath of the diamond is its longest chain, and follows weights', () => {
  assert.deepEqual(criticalPath(diamond), ['a', 'b', 'd']);
  const minutes: Record<string, number> = { a: 1, b: 5, c: 10, d: 1 };
  assert.deepEqual(
    criticalPath(diamond, (task) => minutes[task.id] ?? 0),
    ['a', 'c', 'd'],
  );
  assert.deepEqual(criticalPath([{ id: 'solo' }]), ['solo']);
});
