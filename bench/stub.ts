// The stub agent: the Go binary (built here, ~1 ms to start) or, without Go, the node script (~40 ms+).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// Compiled, this file is dist/bench/stub.js: the repository root is two levels up.
const ROOT = new URL('../../', import.meta.url);

export interface Stub {
  kind: 'go' | 'node';
  bin: string;
}

export function prepareStub(wanted: 'go' | 'node' | 'auto'): Stub {
  const nodeStub: Stub = { kind: 'node', bin: fileURLToPath(new URL('bench/stub-claude.mjs', ROOT)) };
  if (wanted === 'node') return nodeStub;
  const bin = fileURLToPath(new URL('dist/bench/stub-claude-go', ROOT));
  try {
    execFileSync('go', ['build', '-o', bin, 'main.go'], {
      cwd: fileURLToPath(new URL('bench/stub-claude/', ROOT)),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    return { kind: 'go', bin };
  } catch (err) {
    if (wanted === 'go') throw err;
    process.stderr.write(
      `go build of the stub failed (${(err as Error).message.split('\n')[0]}); using the node stub\n`,
    );
    return nodeStub;
  }
}

/** The real claude binary installed as a dev dependency. */
export const CLAUDE_BIN = fileURLToPath(new URL('node_modules/.bin/claude', ROOT));
