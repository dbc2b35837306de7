// Where Claude Code keeps its conversations, and whether one can be resumed here (DESIGN §5).
// Measured on 2.1.197: `<CLAUDE_CONFIG_DIR or ~/.claude>/projects/<cwd with every non-alphanumeric
// character as "-">/<session id>.jsonl`, one JSON object per line, the user and assistant lines carrying
// `"cwd"`. `--resume <id>` only finds a conversation stored under the project folder of its own cwd
// ("No conversation found with session ID" otherwise), so the cwd recorded in the file must match.
import { open, readdir, realpath } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** The config folder claude uses with this environment (the one it is started with). */
export function claudeConfigDir(env: Record<string, string | undefined>): string {
  const configured = env.CLAUDE_CONFIG_DIR;
  return configured ? path.resolve(configured) : path.join(homedir(), '.claude');
}

export type SessionLookup = { available: true; file: string } | { available: false; reason: string };

/** How much of a session file is read to find its cwd: the first user line comes within a few KB. */
const HEAD_BYTES = 256 * 1024;

/** Whether claude, started in `cwd` with this config folder, can `--resume` the session. */
export async function findSession(configDir: string, sessionId: string, cwd: string): Promise<SessionLookup> {
  if (!/^[0-9a-f-]{36}$/i.test(sessionId)) return { available: false, reason: `"${sessionId}" is not a session id` };
  const projects = path.join(configDir, 'projects');
  let folders: string[];
  try {
    folders = await readdir(projects);
  } catch {
    return { available: false, reason: `this worker has no Claude sessions (no ${projects})` };
  }
  const wanted = new Set([path.resolve(cwd), await realpath(cwd).catch(() => path.resolve(cwd))]);
  const recordedIn: string[] = [];
  for (const folder of folders) {
    const file = path.join(projects, folder, `${sessionId}.jsonl`);
    const recorded = await recordedCwd(file);
    if (recorded === undefined) continue;
    if (recorded !== null && wanted.has(recorded)) return { available: true, file };
    recordedIn.push(recorded ?? '(unknown folder)');
  }
  if (recordedIn.length > 0) {
    return {
      available: false,
      reason: `session ${sessionId} was recorded in ${recordedIn.join(', ')}, not in this task's folder ${cwd}`,
    };
  }
  return { available: false, reason: `session ${sessionId} is not stored in ${projects} on this worker` };
}

/** The cwd the session file records; null when it records none; undefined when there is no such file. */
async function recordedCwd(file: string): Promise<string | null | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
    for (const line of buffer.subarray(0, bytesRead).toString('utf8').split('\n')) {
      if (!line.includes('"cwd"')) continue;
      try {
        const value: unknown = JSON.parse(line);
        const cwd = (value as { cwd?: unknown }).cwd;
        if (typeof cwd === 'string') return cwd;
      } catch {
        // a line cut at the end of the buffer, or a half-written last line: look further
      }
    }
    return null;
  } finally {
    await handle.close();
  }
}
