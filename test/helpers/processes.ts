// The machine's live processes, read from /proc: how the tests that stop agents prove that nothing is left.
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface LiveProcess {
  pid: number;
  /** The command line as /proc has it: each argument followed by a NUL. */
  cmdline: string;
}

/** Live (non-zombie) processes other than this one. */
export async function liveProcesses(): Promise<LiveProcess[]> {
  const found: LiveProcess[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    if (stat === '' || /^ Z /.test(stat.slice(stat.lastIndexOf(')') + 1))) continue;
    const cmdline = await readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => '');
    found.push({ pid: Number(name), cmdline });
  }
  return found;
}

/** `pid: command line` (its first `width` characters), for assertion messages. */
function describe({ pid, cmdline }: LiveProcess, width: number): string {
  return `${pid}: ${cmdline.replaceAll('\0', ' ').slice(0, width)}`;
}

/** Pids of live processes one of whose arguments is `token`. */
export async function pidsWith(token: string): Promise<number[]> {
  return (await liveProcesses()).filter((p) => p.cmdline.split('\0').includes(token)).map((p) => p.pid);
}

/** Live processes whose command line contains `text`. */
export async function processesWith(text: string): Promise<string[]> {
  return (await liveProcesses()).filter((p) => p.cmdline.includes(text)).map((p) => describe(p, 80));
}

/**
 * Live processes that belong to a harness: `marker` (its temp folder) in the command line or environment, or a
 * working folder inside it. Claude and every process it starts inherit its environment (CLAUDE_CONFIG_DIR) and run
 * in the task's folder.
 */
export async function processesOf(marker: string): Promise<string[]> {
  const found: string[] = [];
  for (const p of await liveProcesses()) {
    const environ = await readFile(`/proc/${p.pid}/environ`, 'utf8').catch(() => '');
    const cwd = await readlink(`/proc/${p.pid}/cwd`).catch(() => '');
    if (p.cmdline.includes(marker) || environ.includes(marker) || cwd.startsWith(marker)) found.push(describe(p, 1000));
  }
  return found;
}
