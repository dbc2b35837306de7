// A live agent's prompt goes with its launch: the launcher writes it to the new process's stdin at once, before
// anything the worker writes later (DESIGN §5; launcher/protocol.ts).
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { launch } from '../../src/activities/launcher/client.js';

void describe('the launcher writes a live process its first input', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'baton-launcher-stdin-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** `cat` started from the launcher with a stdin pipe: what it read comes out in `<name>.out`. */
  const cat = (name: string, stdinText?: string) =>
    launch({
      file: 'cat',
      args: [],
      cwd: dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      stdinPipe: true,
      ...(stdinText === undefined ? {} : { stdinText }),
      stdoutFile: path.join(dir, `${name}.out`),
      stderrFile: path.join(dir, `${name}.err`),
    });

  void it('stdinText reaches the process first, then what is written to its pipe, then the end', async () => {
    const launched = await cat('first', '{"first":true}\n');
    assert.ok(launched.pid !== undefined && launched.stdin, 'started, with a pipe');
    launched.stdin.write('second\n');
    launched.stdin.end();
    assert.deepEqual(await launched.exited, { exitCode: 0 });
    assert.equal(readFileSync(path.join(dir, 'first.out'), 'utf8'), '{"first":true}\nsecond\n');
  });

  void it('without stdinText the pipe starts empty: only what is written arrives', async () => {
    const launched = await cat('plain');
    launched.stdin!.write('only\n');
    launched.stdin!.end();
    assert.deepEqual(await launched.exited, { exitCode: 0 });
    assert.equal(readFileSync(path.join(dir, 'plain.out'), 'utf8'), 'only\n');
  });
});
