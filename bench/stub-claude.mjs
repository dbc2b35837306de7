#!/usr/bin/env node
// A stand-in for `claude -p … --output-format stream-json`, for benchmarks (node variant of
// bench/stub-claude/main.go, which the bench prefers: node itself takes ~40 ms to start).
// Speaks just enough stream-json for baton's parser, sleeps the time its prompt asks for
// (a line `sleep-ms: N`), and appends "start|end <task> <epoch ms> <pid> <span>" to $BENCH_STUB_LOG
// (span: random per process; pids repeat under a PID namespace, a resumed attempt reuses its session id).
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, readSync } from 'node:fs';

const now = () => (performance.timeOrigin + performance.now()).toFixed(3);
const started = performance.timeOrigin; // when this process began, before node's own start-up work
const args = process.argv.slice(2);
const flag = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
// The prompt: the word after -p; or, with --input-format stream-json (how baton runs agents), the first user message
// on stdin, which stays open while the agent works; or all of stdin (--input-format text).
const firstLine = () => {
  const bytes = [];
  const one = Buffer.alloc(1);
  while (readSync(0, one, 0, 1, null) === 1 && one[0] !== 10) bytes.push(one[0]);
  return Buffer.from(bytes).toString('utf8');
};
const p = args.indexOf('-p');
const prompt =
  flag('--input-format') === 'stream-json'
    ? (JSON.parse(firstLine() || '{}').message?.content ?? '')
    : p < 0
      ? ''
      : args[p + 1] && !args[p + 1].startsWith('--')
        ? args[p + 1]
        : readFileSync(0, 'utf8');
const task = /^# Task: (\S+)/m.exec(prompt)?.[1] ?? 'unknown';
const sessionId = flag('--session-id') ?? flag('--resume') ?? '00000000-0000-4000-8000-000000000000';
const span = randomBytes(8).toString('hex');
const record = (kind, at) => {
  const line = `${kind} ${task} ${at} ${process.pid} ${span}\n`;
  if (process.env.BENCH_STUB_LOG) appendFileSync(process.env.BENCH_STUB_LOG, line);
};
record('start', started.toFixed(3));

const sleepMs = Number(/^sleep-ms: (\d+)/m.exec(prompt)?.[1] ?? 0);
const size = Number(/^result-bytes: (\d+)/m.exec(prompt)?.[1] ?? 0);
let text = `stub: task ${task} done`;
if (size > text.length) text += '.'.repeat(size - text.length);
const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);

emit({ type: 'system', subtype: 'init', session_id: sessionId, model: 'stub', tools: [] });
setTimeout(() => {
  emit({
    type: 'assistant',
    session_id: sessionId,
    message: { id: `msg_${task}`, role: 'assistant', content: [{ type: 'text', text }] },
  });
  emit({
    type: 'result',
    subtype: 'success',
    is_error: false,
    result: text,
    session_id: sessionId,
    total_cost_usd: 0,
    num_turns: 1,
    duration_ms: Math.round(performance.now()),
    permission_denials: [],
    usage: { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  });
  record('end', now());
}, sleepMs);
