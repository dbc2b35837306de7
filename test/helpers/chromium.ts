// Debian's headless Chromium driven by playwright-core, for tests that look at the Temporal Web UI.
// `npx playwright install` cannot download its own browser on a closed network, so the system's is used.
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { findOnPath, isExecutable } from '../../src/client/which.js';

/** Found: the binary; missing: why, for the skip or failure message. */
export type ChromiumLookup = { path: string } | { missing: string };

/** BATON_CHROMIUM, else `chromium` or `chromium-browser` on PATH. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): ChromiumLookup {
  const override = env.BATON_CHROMIUM;
  if (override) {
    // A wrong override is a mistake to report, not a reason to skip.
    if (!isExecutable(override)) throw new Error(`BATON_CHROMIUM is ${override}, which is not an executable file`);
    return { path: override };
  }
  for (const name of ['chromium', 'chromium-browser']) {
    const found = findOnPath(name, env.PATH ?? '');
    if (found) return { path: found };
  }
  return { missing: 'no chromium (apt-get install chromium)' };
}

// Without the background-networking flags Chromium reaches out to Google's services, and on a closed
// network those refused connections stall it; --no-sandbox because CI runs as root.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A headless browser with a fresh profile under `dir`; close() ends the browser. */
export async function launchChromium(executablePath: string, dir: string): Promise<BrowserContext> {
  const userDataDir = await mkdtemp(path.join(dir, 'chromium-profile-'));
  return await chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    args: ARGS,
    viewport: { width: 1600, height: 1200 },
  });
}
