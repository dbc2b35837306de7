// Where Claude Code keeps its conversations on this host, and what one holds (DESIGN §5, §12).
// Read from Claude Code 2.1.197: `<CLAUDE_CONFIG_DIR or ~/.claude>/projects/<project folder>/<session id>.jsonl`,
// one JSON object per line. The project folder is the realpath of the cwd with every character but [A-Za-z0-9]
// as "-"; past 200 characters, the first 200 then "-" and a hash of the path in base 36. `--resume <id>` looks
// only in the project folder of its own cwd, and nothing else in the file ties it to a folder: a conversation
// copied into this cwd's project folder (from another host, another checkout) is resumed from here.
import { randomUUID } from 'node:crypto';
import { readdirSync, realpathSync, statSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** The config folder claude uses with this environment (the one it is started with). */
export function claudeConfigDir(env: Record<string, string | undefined>): string {
  const configured = env.CLAUDE_CONFIG_DIR;
  return configured ? path.resolve(configured) : path.join(homedir(), '.claude');
}

const PROJECT_FOLDER_LIMIT = 200;

/** claude's name for the project folder of a (real) path. */
export function projectFolderName(realCwd: string): string {
  const name = realCwd.replace(/[^a-zA-Z0-9]/g, '-');
  if (name.length <= PROJECT_FOLDER_LIMIT) return name;
  return `${name.slice(0, PROJECT_FOLDER_LIMIT)}-${Math.abs(javaHash(realCwd)).toString(36)}`;
}

/** The 32-bit string hash claude uses for long project folder names. */
function javaHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * 31 + text.charCodeAt(i)) | 0;
  return hash;
}

/** The file in which claude, started in `cwd` with this config folder, keeps (and finds) the session. */
export async function sessionFile(configDir: string, cwd: string, sessionId: string): Promise<string> {
  return (await sessionFiles(configDir, cwd))(sessionId);
}

/** The file of each session claude started in `cwd` keeps, the cwd's real path resolved once for all. */
export async function sessionFiles(configDir: string, cwd: string): Promise<(sessionId: string) => string> {
  let real: string;
  try {
    real = realpathSync(cwd);
  } catch {
    real = path.resolve(cwd);
  }
  const folder = path.join(configDir, 'projects', projectFolderName(real));
  return (sessionId) => path.join(folder, `${sessionId}.jsonl`);
}

/** Every file of this session in the config folder, whatever its project folder (another checkout path). */
export async function sessionFilesAnywhere(configDir: string, sessionId: string): Promise<string[]> {
  const projects = path.join(configDir, 'projects');
  let folders: string[];
  try {
    folders = readdirSync(projects);
  } catch {
    return [];
  }
  const found: string[] = [];
  for (const folder of folders) {
    const file = path.join(projects, folder, `${sessionId}.jsonl`);
    if ((await sizeOf(file)) !== undefined) found.push(file);
  }
  return found;
}

/**
 * The size of a file, undefined when there is none. Synchronous inside, as the folder reads above: a look at
 * claude's own local folder, made by every attempt, costs ~2 µs of CPU this way and ~35 µs through the thread
 * pool (measured on Node 20), with tens of attempts starting at once (issue 22).
 */
export async function sizeOf(file: string): Promise<number | undefined> {
  const info = statSync(file, { throwIfNoEntry: false });
  return info?.isFile() ? info.size : undefined;
}

/** Model answers in a conversation file: the assistant messages the model sent (claude's own error notes aside). */
export async function modelAnswers(file: string): Promise<number> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return 0;
  }
  const answers = new Set<string>();
  for (const line of text.split('\n')) {
    // Cheap test first: conversations are mostly tool results and attachments.
    if (!line.includes('"assistant"')) continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // a line cut by a kill, or by a copy made while claude wrote
    }
    const { type, message, uuid } = entry as {
      type?: unknown;
      message?: { id?: unknown; model?: unknown };
      uuid?: unknown;
    };
    // An API error is recorded as an assistant message of model "<synthetic>": not an answer.
    if (type !== 'assistant' || !message || message.model === '<synthetic>') continue;
    // One line per content block of a message: count messages.
    answers.add(String(message.id ?? uuid));
  }
  return answers.size;
}

/** Copies `from` to `to` whole or not at all: claude never sees half a conversation. */
export async function placeFile(from: string, to: string): Promise<void> {
  if (path.resolve(from) === path.resolve(to)) return;
  await mkdir(path.dirname(to), { recursive: true });
  const partial = `${to}.${randomUUID()}.partial`;
  try {
    await copyFile(from, partial);
    await rename(partial, to);
  } finally {
    await rm(partial, { force: true });
  }
}
