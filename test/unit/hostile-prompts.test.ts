// Prompts argv cannot carry (over Linux's 128 KiB per argument, or holding a NUL byte) go to claude on stdin;
// the rest stay in argv as one word, whatever shell metacharacters they hold (claude runs without a shell).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ARGV_PROMPT_LIMIT_BYTES, buildClaudeArgs, promptFitsArgv } from '../../src/activities/claude-args.js';

const task = { permissionMode: 'acceptEdits' as const, allowedTools: undefined, agent: undefined };
const session = { kind: 'new' as const, sessionId: '11111111-2222-4333-8444-555555555555' };

void describe('hostile prompts', () => {
  void it('keeps a prompt full of shell metacharacters as one argv word', () => {
    const prompt = '# Task: x\n$(rm -rf /) `id` ; | & > < * ? ~ \'q\' "dq" \\ --help -p';
    assert.ok(promptFitsArgv(prompt));
    const args = buildClaudeArgs({ prompt, task, session });
    assert.equal(args[1], prompt);
    assert.equal(args.filter((a) => a === prompt).length, 1);
  });

  void it('sends a prompt with a NUL byte on stdin: no argv string can hold one', () => {
    assert.equal(promptFitsArgv('# Task: x\nbefore\u0000after'), false);
    const args = buildClaudeArgs({ prompt: null, task, session });
    assert.deepEqual(args.slice(0, 3), ['-p', '--input-format', 'text']);
    assert.ok(!args.some((a) => a.includes('before')));
  });

  void it('sends a prompt over 100 kB (UTF-8 bytes, not characters) on stdin', () => {
    assert.ok(promptFitsArgv('a'.repeat(ARGV_PROMPT_LIMIT_BYTES)));
    assert.equal(promptFitsArgv('a'.repeat(ARGV_PROMPT_LIMIT_BYTES + 1)), false);
    // 3 bytes each: fewer characters than the limit, more bytes.
    assert.equal(promptFitsArgv('€'.repeat(ARGV_PROMPT_LIMIT_BYTES / 2)), false);
  });
});
