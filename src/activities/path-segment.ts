// Names callers choose (run ids: any workflow id; task ids, whatever a workflow's input says) reach folder names
// and git refs only through here (DESIGN.md §9). A name that is already safe stays as it is, so baton's own ids
// and every valid task id read the same on disk as in status; any other becomes safe plus a hash of the whole
// name after a "+", a character no kept name has: `team:x` and `team/x` never share a folder, and neither can
// become `team_x`'s.
import { createHash } from 'node:crypto';

const KEPT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** `name` as one folder name and one git ref component: never empty, never `.`/`..`, no separators. */
export function safeSegment(name: string): string {
  if (KEPT.test(name) && !name.includes('..') && !name.endsWith('.') && !name.endsWith('.lock') && name.length <= 200) {
    return name;
  }
  const safe = name
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/\.{2,}/g, '_')
    .replace(/^[.-]/, '_')
    .slice(0, 80)
    .replace(/(\.|\.lock)$/, '_');
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 16);
  return `${safe}+${hash}`;
}
