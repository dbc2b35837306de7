// ConversationSync (conversation-sync.ts) with the local artifact store: what a heartbeat keeps of a growing
// conversation, and what it leaves alone. A conversation is kept once it holds a model answer (one without is never
// continued), found where claude put it when that is not where expected, and kept whole at the end however it is.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalArtifactStore } from '../../src/artifacts/local-store.js';
import type { StoreKey } from '../../src/artifacts/store.js';
import { ConversationSync } from '../../src/activities/conversation-sync.js';
import { tempFolderForAllTests } from '../helpers/for-all-tests.js';

const root = tempFolderForAllTests('baton-conversation-sync-');
const INTERVAL_MS = 400;

async function scene(name: string) {
  const dir = path.join(root, name);
  const configDir = path.join(dir, 'config');
  const sessionId = randomUUID();
  const expected = path.join(configDir, 'projects', '-expected-folder', `${sessionId}.jsonl`);
  const store = new LocalArtifactStore({ artifacts: path.join(dir, 'artifacts'), inputs: path.join(dir, 'inputs') });
  const key = `artifacts/run/task/g1/conversations/${sessionId}.jsonl` as StoreKey;
  const sync = new ConversationSync(store, key, expected, { configDir, sessionId }, INTERVAL_MS);
  const kept = () => readFile(store.pathOf(key), 'utf8').catch(() => undefined);
  /** Time for the upload a poke may have started. */
  const settle = () => sleep(50);
  /** What is kept, once it is `text` (an upload under way on a busy machine), or as it stands after 5 s. */
  const keptAs = async (text: string) => {
    const deadline = Date.now() + 5000;
    while ((await kept()) !== text && Date.now() < deadline) await sleep(20);
    return kept();
  };
  return { sync, expected, configDir, sessionId, kept, keptAs, settle, keptFile: store.pathOf(key) };
}

async function write(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

void describe('ConversationSync', () => {
  void it('keeps nothing while the conversation holds no model answer, then keeps it as it grows', async () => {
    const { sync, expected, kept, keptAs, settle, keptFile } = await scene('answers');
    await write(expected, '{"type":"user"}\n');
    sync.poke(0);
    await settle();
    assert.equal(await kept(), undefined, 'no model answer: nothing kept');

    await appendFile(expected, '{"type":"assistant"}\n');
    sync.poke(1);
    const answered = '{"type":"user"}\n{"type":"assistant"}\n';
    assert.equal(await keptAs(answered), answered, 'kept once answered');
    assert.equal((await stat(keptFile)).mode & 0o777, 0o600, "the copy is its owner's only");

    await appendFile(expected, '{"type":"user"}\n');
    sync.poke(1);
    await settle();
    assert.equal((await kept())?.split('\n').length, 3, 'not again within the interval');
    await sleep(INTERVAL_MS);
    sync.poke(1);
    const grown = `${answered}{"type":"user"}\n`;
    assert.equal(await keptAs(grown), grown, 'kept again after the interval, grown');
  });

  void it('a resumed conversation (earlier answers) is kept from the first heartbeat', async () => {
    const { sync, expected, keptAs } = await scene('resumed');
    const text = '{"type":"user"}\n{"type":"assistant"}\n';
    await write(expected, text);
    sync.poke(2);
    assert.equal(await keptAs(text), text);
  });

  void it('finds the conversation in another project folder, and keeps following it there', async () => {
    const { sync, configDir, sessionId, keptAs } = await scene('elsewhere');
    const other = path.join(configDir, 'projects', '-another-folder', `${sessionId}.jsonl`);
    await write(other, 'one\n');
    sync.poke(1);
    assert.equal(await keptAs('one\n'), 'one\n', 'found where claude put it');
    await appendFile(other, 'two\n');
    await sleep(INTERVAL_MS);
    sync.poke(1);
    assert.equal(await keptAs('one\ntwo\n'), 'one\ntwo\n', 'its growth kept too');
  });

  void it('keeps the conversation at the end, answered or not', async () => {
    const { sync, expected, kept } = await scene('flush');
    await write(expected, '{"type":"user"}\n');
    sync.poke(0);
    await sync.flush();
    assert.equal(await kept(), '{"type":"user"}\n');
    assert.equal(sync.failure, undefined);
  });
});
