// Validating a plan that is already parsed (from a file, a planner agent, tasks added to a run, or the input of a
// workflow started around the CLI): the schema and the dependency graph, every problem collected. Pure and free of
// Node builtins: the orchestrate workflow checks its own input with it (DESIGN.md §9).
import type { z } from 'zod';
import { checkDag } from './dag.js';
import { formatPath, type PathSegment, type PlanIssue } from './errors.js';
import { dagTasksOf, hierarchyIssues, type HierarchyContext } from './hierarchy.js';
import { PlanSchema, type Plan } from './schema.js';
import { didYouMean } from './suggest.js';

export type PlanValidation = { ok: true; plan: Plan } | { ok: false; issues: PlanIssue[] };

export const EMPTY_PLAN = 'the plan is empty: expected a mapping with "version", "name" and "tasks"';

/**
 * Validates an already-parsed plan (from a planner agent, or tasks added to a run).
 * Issues carry paths but no positions; `source` (a label such as "planner output") goes in `file`.
 */
export function validatePlanObject(value: unknown, source?: string, context: HierarchyContext = {}): PlanValidation {
  const withSource = (issue: PlanIssue): PlanIssue => (source === undefined ? issue : { file: source, ...issue });
  if (value === undefined || value === null) {
    return { ok: false, issues: [withSource({ path: '', message: EMPTY_PLAN })] };
  }
  const parsed = PlanSchema.safeParse(value, { reportInput: true, error: zodMessage });
  const issues = parsed.success ? [] : parsed.error.issues.flatMap(toPlanIssues);
  // The graph is checked even when the schema is not satisfied, so one run reports everything.
  issues.push(...checkDag(parsed.success ? parsed.data.tasks : dagTasksOf(value)));
  issues.push(...hierarchyIssues(value, context));
  if (parsed.success) issues.push(...planVerifyIssues(parsed.data));
  if (parsed.success && issues.length === 0) return { ok: true, plan: parsed.data };
  return { ok: false, issues: issues.map(withSource) };
}

/** A plan-level `verify` runs on the integration branch, which only worktree isolation has. */
function planVerifyIssues(plan: Plan): PlanIssue[] {
  if (!plan.verify?.length || plan.workspace?.isolation === 'worktree') return [];
  return [
    {
      path: 'verify',
      message:
        "a plan-level verify runs on the integration branch after each task's merge, which needs worktree isolation: set workspace.isolation: worktree, or move the commands to the tasks' own verify",
    },
  ];
}

function toPlanIssues(issue: z.core.$ZodIssue): PlanIssue[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => ({
        path: formatPath([...path, key]),
        message: `unknown key "${key}"${didYouMean(key, knownKeysAt(path))}`,
      }));
    case 'invalid_key': {
      const key = path[path.length - 1];
      const reasons = issue.issues.map((inner) => inner.message).join('; ');
      return [{ path: formatPath(path), message: `invalid key "${String(key)}": ${reasons}` }];
    }
    case 'invalid_value':
    case 'invalid_format':
    case 'custom': {
      // Messages written in the schema do not say what was found; add it.
      const found = issue.message.includes('(found') ? '' : ` (found ${describe(issue.input)})`;
      return [{ path: formatPath(path), message: issue.message + found }];
    }
    default:
      return [{ path: formatPath(path), message: issue.message }];
  }
}

/** Messages for the issues the schema has no message of its own for. */
function zodMessage(issue: z.core.$ZodRawIssue): string | undefined {
  const found = describe(issue.input);
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is required but missing';
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      let hint = '';
      if (issue.expected === 'string' && (typeof issue.input === 'number' || typeof issue.input === 'boolean')) {
        hint = ' (put it in quotes)';
      } else if (issue.expected === 'array' && typeof issue.input === 'string') {
        hint = ` (write [${issue.input}] for a list of one)`;
      }
      return `expected ${expected}, found ${found}${hint}`;
    }
    case 'too_small':
    case 'too_big': {
      const bound = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      const small = issue.code === 'too_small';
      if (issue.origin === 'string' && small && bound === 1) return 'must not be empty';
      if (issue.origin === 'string' || issue.origin === 'array') {
        const unit = issue.origin === 'string' ? 'character' : 'item';
        return `must have ${small ? 'at least' : 'at most'} ${bound} ${unit}${bound === 1 ? '' : 's'} (found ${found})`;
      }
      const relation = small
        ? issue.inclusive
          ? 'at least'
          : 'greater than'
        : issue.inclusive
          ? 'at most'
          : 'less than';
      return `must be ${relation} ${bound} (found ${found})`;
    }
    case 'invalid_value': {
      const options = issue.values.map((value) => JSON.stringify(value));
      const list = options.length === 1 ? options[0] : `one of ${options.slice(0, -1).join(', ')} or ${options.at(-1)}`;
      const hint =
        typeof issue.input === 'string'
          ? didYouMean(
              issue.input,
              issue.values.filter((value): value is string => typeof value === 'string'),
            )
          : '';
      return `must be ${list} (found ${found})${hint}`;
    }
    case 'invalid_union': {
      const expected = issue.errors.map((branch) =>
        branch[0]?.code === 'invalid_type' ? (EXPECTED[branch[0].expected] ?? branch[0].expected) : undefined,
      );
      return expected.every((name) => name !== undefined)
        ? `expected ${expected.join(' or ')}, found ${found}`
        : `does not match any allowed form (found ${found})`;
    }
    default:
      return undefined;
  }
}

const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
};

/** How a value found in the plan is named in messages. */
function describe(value: unknown): string {
  if (value === null) return 'nothing (an empty value)';
  if (Array.isArray(value)) return 'a list';
  switch (typeof value) {
    case 'string': {
      const shown = JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
      return value.length > 40 ? `${shown} (${value.length} characters)` : shown;
    }
    case 'number':
      return `the number ${value}`;
    case 'boolean':
      return String(value);
    case 'object':
      return 'a mapping';
    default:
      return typeof value;
  }
}

interface ZodNodeLike {
  _zod: { def: Record<string, unknown> };
}

/** The keys the schema allows in the object at `path` (for "did you mean" hints). */
function knownKeysAt(path: readonly PathSegment[]): string[] {
  let schema: ZodNodeLike | undefined = PlanSchema as unknown as ZodNodeLike;
  const unwrap = (node: ZodNodeLike | undefined): ZodNodeLike | undefined => {
    while (node && ['optional', 'default', 'nullable', 'prefault', 'readonly'].includes(String(node._zod.def.type))) {
      node = node._zod.def.innerType as ZodNodeLike;
    }
    // A task's `plan` is a file name or a sub-plan: keys are the sub-plan's.
    if (node?._zod.def.type === 'union') {
      const options = node._zod.def.options as ZodNodeLike[];
      return options.map((option) => unwrap(option)).find((option) => option?._zod.def.type === 'object');
    }
    return node;
  };
  for (const segment of path) {
    schema = unwrap(schema);
    const def = schema?._zod.def;
    if (def?.type === 'object') schema = (def.shape as Record<string, ZodNodeLike>)[String(segment)];
    else if (def?.type === 'array') schema = def.element as ZodNodeLike;
    else if (def?.type === 'record') schema = def.valueType as ZodNodeLike;
    else return [];
  }
  const def = unwrap(schema)?._zod.def;
  return def?.type === 'object' ? Object.keys(def.shape as object) : [];
}
