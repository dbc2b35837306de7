import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toMermaid } from '../../src/plan/mermaid.js';

const diamond = {
  tasks: [
    { id: 'a', title: 'Set up', dependsOn: [] },
    { id: 'b', title: 'Left', dependsOn: ['a'] },
    { id: 'c', dependsOn: ['a'] },
    { id: 'd', title: 'Synthesise', dependsOn: ['b', 'c'] },
  ],
};

void test('toMermaid draws the diamond: a node per task, an edge per dependency', () => {
  assert.equal(
    toMermaid(diamond),
    [
      'flowchart TD',
      '  t0["Set up"]',
      '  t1["Left"]',
      '  t2["c"]',
      '  t3["Synthesise"]',
      '  t0 --> t1',
      '  t0 --> t2',
      '  t1 --> t3',
      '  t2 --> t3',
      '',
    ].join('\n'),
  );
});

void test('toMermaid colours tasks by state with one classDef per state present', () => {
  const states = { a: 'succeeded', b: 'running', c: 'awaiting-approval', d: 'some-future-state' };
  const lines = toMermaid(diamond, { states }).split('\n');
  assert.deepEqual(lines.slice(9), [
    '  classDef succeeded fill:#dcfce7,stroke:#16a34a,color:#14532d',
    '  class t0 succeeded',
    '  classDef running fill:#dbeafe,stroke:#2563eb,color:#1e3a8a,stroke-width:2px',
    '  class t1 running',
    '  classDef awaitingApproval fill:#fef9c3,stroke:#ca8a04,color:#713f12',
    '  class t2 awaitingApproval',
    '',
  ]);
});

void test('toMermaid escapes labels that would break Mermaid syntax', () => {
  const out = toMermaid({ tasks: [{ id: 'end', title: 'Say "hi" [now] <b>#1</b>\n(twice)' }] });
  assert.equal(out, 'flowchart TD\n  t0["Say #34;hi#34; #91;now#93; #60;b#62;#35;1#60;/b#62; #40;twice#41;"]\n');
});

void test('toMermaid draws a task with an approval gate as a hexagon that names the gate; others stay boxes', () => {
  const gated = {
    tasks: [
      { id: 'design', approval: 'before', dependsOn: [] },
      { id: 'build', title: 'Build it', approval: 'after', dependsOn: ['design'] },
      { id: 'ship', approval: 'none', dependsOn: ['build'] },
    ],
  };
  assert.deepEqual(toMermaid(gated).split('\n').slice(1, 4), [
    '  t0{{"design<br/>approval: before"}}',
    '  t1{{"Build it<br/>approval: after"}}',
    '  t2["ship"]',
  ]);
});
