// Unit tests of runAgent's pure parts: prompt, argv, stream parsing, classification, process-tree walking.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildClaudeArgs } from '../../src/activities/claude-args.js';
import { apiMessage, classify, type RunOutcome } from '../../src/activities/classify.js';
import { descendants, type ProcessRef } from '../../src/activities/kill-tree.js';
import { buildPrompt } from '../../src/activities/prompt.js';
import { parseResult, StreamParser } from '../../src/activities/stream.js';
import type { RunAgentInput } from '../../src/contract/agent.js';
import { effectiveTask, TaskSchema } from '../../src/plan/schema.js';
import { FailureType } from '../../src/contract/failures.js';

function input(overrides: Partial<RunAgentInput> = {}, task: Record<string, unknown> = {}): RunAgentInput {
  return {
    runId: 'baton-demo-1a2b',
    task: effectiveTask(
      {},
      TaskSchema.parse({ id: 'login', title: 'Login endpoint', prompt: 'Implement POST /login', ...task }),
    ),
    generation: 1,
    cwd: '/repo',
    dependencies: [],
    guidance: [],
    sessionId: '11111111-2222-4333-8444-555555555555',
    ...overrides,
  };
}

void describe('buildPrompt', () => {
  void it('starts with "# Task: <id>" exactly, then the title, goal and task prompt', () => {
    const prompt = buildPrompt(input({ goal: 'Build auth' }));
    assert.equal(prompt.split('\n')[0], '# Task: login');
    assert.match(prompt, /Title: Login endpoint/);
    assert.match(prompt, /Build auth/);
    assert.match(prompt, /Implement POST \/login/);
  });

  void it('lists context files, dependency results with their artifact paths, and guidance', () => {
    const prompt = buildPrompt(
      input(
        {
          dependencies: [
            {
              id: 'schema',
              title: 'DB schema',
              state: 'succeeded',
              summary: 'Made users table',
              artifactPath: '/a/schema/result.md',
            },
            { id: 'docs', title: 'Docs', state: 'skipped', summary: '' },
          ],
          guidance: ['Use bcrypt, not md5'],
        },
        { contextFiles: ['/repo/src/auth.js'] },
      ),
    );
    assert.match(prompt, /## Context files\n[\s\S]*- \/repo\/src\/auth\.js/);
    assert.match(
      prompt,
      /## Results of dependencies[\s\S]*### schema: DB schema\n\nMade users table[\s\S]*\/a\/schema\/result\.md/,
    );
    assert.match(prompt, /### docs: Docs\n\nThis task was skipped/);
    assert.match(prompt, /## Guidance from people[\s\S]*- Use bcrypt, not md5/);
  });

  void it('has an "## Expected outputs" section with one "- <absolute path>" line per output, only when there are some', () => {
    const prompt = buildPrompt(input({}, { expectedOutputs: ['/repo/a.js', '/repo/b.js'] }));
    const lines = prompt.split('\n');
    const at = lines.indexOf('## Expected outputs');
    assert.ok(at > 0);
    assert.deepEqual(lines.slice(at + 1, at + 3), ['- /repo/a.js', '- /repo/b.js']);
    assert.doesNotMatch(buildPrompt(input()), /Expected outputs|Context files|Results of dependencies|Guidance/);
  });
});

void describe('buildClaudeArgs', () => {
  const session = { kind: 'new', sessionId: 'sid' } as const;

  void it('puts the prompt in argv[1] and the stream-json flags after it', () => {
    const args = buildClaudeArgs({ prompt: 'PROMPT', task: input().task, session });
    assert.deepEqual(args, [
      '-p',
      'PROMPT',
      '--output-format',
      'stream-json',
      '--verbose',
      '--permission-mode',
      'acceptEdits',
      '--session-id',
      'sid',
    ]);
  });

  void it('writes allowed tools as one --allowedTools=a,b word so they cannot swallow other arguments', () => {
    const task = input({}, { allowedTools: ['Read', 'Grep'], model: 'sonnet', maxTurns: 7 }).task;
    const args = buildClaudeArgs({ prompt: 'P', task, session });
    assert.ok(args.includes('--allowedTools=Read,Grep'));
    assert.ok(!args.includes('--allowedTools'));
    assert.deepEqual(args.slice(args.indexOf('--model'), args.indexOf('--model') + 2), ['--model', 'sonnet']);
    assert.deepEqual(args.slice(args.indexOf('--max-turns'), args.indexOf('--max-turns') + 2), ['--max-turns', '7']);
  });

  void it("names the folders of dependencies' results as --add-dir=<dir> words, which cannot swallow the prompt", () => {
    const args = buildClaudeArgs({ prompt: 'P', task: input().task, session, addDirs: ['/w/deps', '/w/other'] });
    assert.deepEqual(
      args.filter((a) => a.startsWith('--add-dir')),
      ['--add-dir=/w/deps', '--add-dir=/w/other'],
    );
    assert.equal(args[1], 'P');
  });

  void it('passes --agents JSON and --agent when the plan defines the agent, only --agent otherwise', () => {
    const agents = { coder: { description: 'Writes code', prompt: 'You are a coder' } };
    const defined = buildClaudeArgs({ prompt: 'P', task: input({}, { agent: 'coder' }).task, agents, session });
    const json = defined[defined.indexOf('--agents') + 1];
    assert.deepEqual(JSON.parse(json ?? ''), agents);
    assert.equal(defined[defined.indexOf('--agent') + 1], 'coder');

    const builtIn = buildClaudeArgs({ prompt: 'P', task: input({}, { agent: 'Explore' }).task, agents, session });
    assert.ok(!builtIn.includes('--agents'));
    assert.equal(builtIn[builtIn.indexOf('--agent') + 1], 'Explore');
  });

  void it('resumes with --resume instead of --session-id', () => {
    const args = buildClaudeArgs({ prompt: 'P', task: input().task, session: { kind: 'resume', sessionId: 'old' } });
    assert.deepEqual(args.slice(-2), ['--resume', 'old']);
    assert.ok(!args.includes('--session-id'));
  });
});

void describe('StreamParser', () => {
  const lines = [
    { type: 'system', subtype: 'init', session_id: 's-1', model: 'sonnet' },
    { type: 'assistant', session_id: 's-1', message: { id: 'm1', content: [{ type: 'text', text: 'hi' }] } },
    { type: 'assistant', session_id: 's-1', message: { id: 'm1', content: [{ type: 'tool_use', name: 'Edit' }] } },
    { type: 'user', session_id: 's-1', message: { content: [{ type: 'tool_result' }] } },
    { type: 'assistant', session_id: 's-1', message: { id: 'm2', content: [{ type: 'tool_use', name: 'Bash' }] } },
    {
      type: 'result',
      subtype: 'success',
      is_error: false,
      api_error_status: null,
      result: 'done',
      total_cost_usd: 0.5,
      num_turns: 3,
      duration_ms: 900,
      usage: { input_tokens: 1, output_tokens: 2, cache_read_input_tokens: 3, cache_creation_input_tokens: 4 },
      permission_denials: [{ tool_name: 'Bash' }],
      session_id: 's-1',
    },
  ]
    .map((line) => JSON.stringify(line))
    .join('\n');

  void it('reads session, turns, last tool and the result line, whatever the chunking', () => {
    for (const size of [1, 7, 64, lines.length]) {
      const parser = new StreamParser();
      for (let at = 0; at < lines.length; at += size) parser.push(lines.slice(at, at + size));
      const state = parser.end();
      assert.equal(state.sessionId, 's-1');
      assert.equal(state.turns, 2, 'a message split over two lines counts once');
      assert.equal(state.lastTool, 'Bash');
      assert.deepEqual(state.result, {
        subtype: 'success',
        isError: false,
        apiErrorStatus: null,
        text: 'done',
        errors: [],
        costUsd: 0.5,
        usage: { inputTokens: 1, outputTokens: 2, cacheReadInputTokens: 3, cacheCreationInputTokens: 4 },
        numTurns: 3,
        durationMs: 900,
        permissionDenials: [{ toolName: 'Bash' }],
        sessionId: 's-1',
      });
    }
  });

  void it('skips garbage, non-object JSON and half-written last lines without throwing', () => {
    const parser = new StreamParser();
    parser.push(
      'Warning: something\n[1,2]\n"str"\nnull\n{"type":"system","subtype":"init","session_id":"x"}\n{"type":"resu',
    );
    const state = parser.end();
    assert.equal(state.sessionId, 'x');
    assert.equal(state.result, undefined);
    assert.equal(state.garbageLines, 5);
  });

  void it('reads API errors and error subtypes with missing fields as zeros', () => {
    const result = parseResult({ type: 'result', subtype: 'error_max_turns', is_error: true, errors: ['too long'] });
    assert.equal(result.apiErrorStatus, null);
    assert.equal(result.costUsd, 0);
    assert.deepEqual(result.errors, ['too long']);
  });
});

void describe('classify', () => {
  const outcome = (fields: Partial<RunOutcome>): RunOutcome => ({
    stderrTail: [],
    claudeBin: '/bin/claude',
    ...fields,
  });
  const apiError = (
    status: number | null,
    text = `API Error: ${status} {"type":"error","error":{"message":"the reason"}}`,
  ) =>
    outcome({
      exitCode: 1,
      result: { ...parseResult({ subtype: 'success', is_error: true, api_error_status: status, result: text }) },
    });

  void it('is null for a successful result line, whatever the exit code', () => {
    assert.equal(classify(outcome({ exitCode: 0, result: parseResult({ subtype: 'success', result: 'ok' }) })), null);
    assert.equal(classify(outcome({ exitCode: 1, result: parseResult({ subtype: 'success', result: 'ok' }) })), null);
  });

  const cases: [number, FailureType, boolean][] = [
    [429, FailureType.AgentRateLimited, true],
    [529, FailureType.AgentOverloaded, true],
    [500, FailureType.AgentServerError, true],
    [503, FailureType.AgentServerError, true],
    [400, FailureType.AgentBadRequest, false],
    [401, FailureType.AgentAuthFailed, false],
    [403, FailureType.AgentAuthFailed, false],
    [404, FailureType.AgentNotFound, false],
  ];
  for (const [status, type, retryable] of cases) {
    void it(`maps API status ${status} to ${type} (${retryable ? 'retryable' : 'not retryable'})`, () => {
      const verdict = classify(apiError(status));
      assert.equal(verdict?.type, type);
      assert.equal(verdict?.retryable, retryable);
      assert.equal(verdict?.apiErrorStatus, status);
      assert.match(verdict?.message ?? '', new RegExp(`answered ${status}.*: the reason;`));
    });
  }

  void it('says why in a sentence: 400 cannot be helped by retrying', () => {
    assert.equal(
      classify(apiError(400))?.message,
      'the model API answered 400 Bad Request: the reason; retrying cannot help',
    );
  });

  void it("extracts the API's message from each form of claude's result text", () => {
    assert.equal(apiMessage('API Error: 400 fake message 400'), 'fake message 400');
    assert.equal(apiMessage('API Error: Request rejected (429) · slow down'), 'slow down');
    assert.equal(apiMessage('Failed to authenticate. API Error: 401 invalid x-api-key'), 'invalid x-api-key');
    assert.equal(apiMessage('API Error: 400 {"type":"error","error":{"type":"x","message":"bad model"}}'), 'bad model');
    assert.equal(
      apiMessage('API Error: Unable to connect to API (ConnectionRefused)'),
      'Unable to connect to API (ConnectionRefused)',
    );
  });

  void it('maps an is_error result without a status to a connection error when claude could not connect', () => {
    const verdict = classify(apiError(null, 'API Error: Unable to connect to API (ConnectionRefused)'));
    assert.equal(verdict?.type, FailureType.AgentConnectionError);
    assert.equal(verdict?.retryable, true);
    assert.equal(classify(apiError(null, 'something odd'))?.type, FailureType.AgentExecutionError);
  });

  const subtypes: [string, FailureType, boolean][] = [
    ['error_max_turns', FailureType.AgentMaxTurns, false],
    ['error_max_budget_usd', FailureType.AgentMaxBudget, false],
    ['error_max_structured_output_retries', FailureType.AgentStructuredOutputFailed, false],
    ['error_during_execution', FailureType.AgentExecutionError, true],
  ];
  for (const [subtype, type, retryable] of subtypes) {
    void it(`maps result subtype ${subtype} to ${type}`, () => {
      const verdict = classify(
        outcome({ exitCode: 1, result: parseResult({ subtype, is_error: true, num_turns: 3 }) }),
      );
      assert.equal(verdict?.type, type);
      assert.equal(verdict?.retryable, retryable);
    });
  }

  void it('calls a run without a result line a retryable crash and quotes the last stderr lines', () => {
    const verdict = classify(outcome({ exitCode: 134, stderrTail: ['starting', 'Segmentation fault'] }));
    assert.equal(verdict?.type, FailureType.AgentCrashed);
    assert.equal(verdict?.retryable, true);
    assert.match(verdict?.message ?? '', /exited with code 134/);
    assert.match(verdict?.message ?? '', /Segmentation fault/);
    assert.match(classify(outcome({ signal: 'SIGKILL' }))?.message ?? '', /killed by SIGKILL/);
  });

  void it('names the binary and the fix when claude cannot be started', () => {
    for (const code of ['ENOENT', 'EACCES']) {
      const verdict = classify(outcome({ spawnError: { code, message: `spawn ${code}` } }));
      assert.equal(verdict?.type, FailureType.ClaudeNotFound);
      assert.equal(verdict?.retryable, false);
      assert.match(verdict?.message ?? '', /"\/bin\/claude"/);
      assert.match(verdict?.message ?? '', /@anthropic-ai\/claude-code/);
      assert.match(verdict?.message ?? '', /BATON_CLAUDE_BIN/);
    }
    const viaUnshare = classify(
      outcome({ exitCode: 127, stderrTail: ['unshare: failed to execute claude: No such file or directory'] }),
    );
    assert.equal(viaUnshare?.type, FailureType.ClaudeNotFound);
  });

  void it('recognises what claude prints on stderr for bad flags, unknown agents and bad session ids', () => {
    for (const line of [
      "error: unknown option '--bogus'",
      "--agent 'nosuch' not found. Available agents: claude, Explore",
      'Error: Invalid session ID. Must be a valid UUID.',
      "error: option '--permission-mode <mode>' argument 'bogus' is invalid. Allowed choices are acceptEdits",
      '--dangerously-skip-permissions cannot be used with root/sudo privileges for security reasons',
    ]) {
      const verdict = classify(outcome({ exitCode: 1, stderrTail: [line] }));
      assert.equal(verdict?.type, FailureType.AgentBadArguments, line);
      assert.equal(verdict?.retryable, false);
    }
  });

  void it('lets the next attempt choose again when claude refuses the conversation (issue 21: never destroys the task)', () => {
    for (const line of [
      'Error: Session ID 0b1c2d3e-0000-4000-8000-000000000000 is already in use.',
      'No conversation found with session ID: 0b1c2d3e-0000-4000-8000-000000000000',
    ]) {
      const verdict = classify(outcome({ exitCode: 1, stderrTail: [line] }));
      assert.equal(verdict?.type, FailureType.AgentExecutionError, line);
      assert.equal(verdict?.retryable, true);
      assert.match(verdict?.message ?? '', /the next attempt chooses its conversation again/);
    }
  });
});

void describe('descendants', () => {
  void it('finds the whole tree under a root and nothing beside it', () => {
    const table = new Map<number, ProcessRef>(
      [
        [1, 0],
        [10, 1],
        [11, 10],
        [12, 11],
        [13, 10],
        [20, 1],
        [21, 20],
      ].map(([pid, ppid]) => [pid!, { pid: pid!, ppid: ppid!, startTime: '1' }]),
    );
    assert.deepEqual(
      descendants(table, [10])
        .map((ref) => ref.pid)
        .sort(),
      [10, 11, 12, 13],
    );
    assert.deepEqual(descendants(table, [99]), []);
  });
});
