// One rich error for everything wrong with a plan. Pure: safe to import from workflow code.
import { ExitCode, ExitCodeError } from '../errors/exit-code.js';

/** One problem found in a plan, located as precisely as the source allows. */
export interface PlanIssue {
  /** The plan file (as given by the user), when the plan came from a file. */
  file?: string;
  /** Where in the plan, like `tasks[2].dependsOn[0]`; `""` for the plan as a whole. */
  path: string;
  /** 1-based line of the offending node in the file. */
  line?: number;
  /** 1-based column of the offending node in the file. */
  column?: number;
  message: string;
}

export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `['tasks', 2, 'dependsOn', 0]` → `tasks[2].dependsOn[0]`; odd keys are quoted: `agents["my agent"]`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** The inverse of `formatPath`. */
export function parsePath(path: string): PathSegment[] {
  const segments: PathSegment[] = [];
  const token = /\.?([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  while (token.lastIndex < path.length) {
    const match = token.exec(path);
    if (!match) throw new Error(`not a plan path: ${path}`);
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3] ?? '""') as string);
  }
  return segments;
}

/** `plan.yaml:14:5 tasks[2].id: must be …` */
export function formatIssue(issue: PlanIssue): string {
  let where = issue.file ?? '';
  if (issue.line !== undefined) {
    where += `${where === '' ? 'line ' : ':'}${issue.line}`;
    if (issue.column !== undefined) where += `:${issue.column}`;
  }
  const head = [where, issue.path].filter((part) => part !== '').join(' ');
  return head === '' ? issue.message : `${head}: ${issue.message}`;
}

/** Thrown when a plan cannot be used; `issues` holds every problem found, not only the first. Bad input: exit 2. */
export class PlanError extends ExitCodeError {
  override readonly name = 'PlanError';
  readonly exitCode = ExitCode.BadInput;
  readonly issues: PlanIssue[];

  constructor(issues: readonly PlanIssue[], source?: string) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    const title = source === undefined ? `Invalid plan (${count}):` : `Invalid plan ${source} (${count}):`;
    super([title, ...issues.map((issue) => `  ${formatIssue(issue)}`)].join('\n'));
    this.issues = [...issues];
  }
}
