// The launcher: a small process the worker starts once, which starts every agent for it. Starting a process
// forks its parent, and fork copies the parent's page tables: from a large worker each spawn blocks the worker's
// one thread, and a burst of ready tasks queues behind it. From this small process a spawn is cheap, and off the
// worker's thread (docs/BENCHMARKS.md has the figures).
import type { FromLauncher, ToLauncher } from './protocol.js';
import { spawnDirect, type StdinPipe } from './spawn-direct.js';

const children = new Map<number, number>(); // request id → pid
const stdins = new Map<number, StdinPipe>(); // request id → a live agent's stdin

function send(message: FromLauncher): void {
  // The worker is gone when the channel is: nothing left to tell.
  if (process.connected) process.send?.(message);
}

process.on('message', (message: ToLauncher) => {
  if (message.op === 'stdin') return stdins.get(message.id)?.write(message.text);
  if (message.op === 'stdin-end') return stdins.get(message.id)?.end();
  const { pid, exited, stdin } = spawnDirect(message.request);
  if (pid !== undefined) {
    children.set(message.id, pid);
    if (stdin) stdins.set(message.id, stdin);
    send({ op: 'started', id: message.id, pid });
  }
  void exited.then((exit) => {
    children.delete(message.id);
    stdins.delete(message.id);
    send({ op: 'exited', id: message.id, exit });
  });
});

// The worker went away (it exited, or was killed and the parent-death signal was not available): its agents
// must not run on unseen. Each is the first process of its PID namespace, or a plain child: SIGKILL ends it.
process.on('disconnect', () => {
  for (const pid of children.values()) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(0);
});

// Ctrl-C reaches the whole process group: the worker decides what happens to the agents, not this process.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);

send({ op: 'ready' });
