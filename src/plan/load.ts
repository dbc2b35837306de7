// Reading a plan: the one module of src/plan that touches the file system.
// Every problem is collected (syntax, schema, dependency graph) and thrown together as one
// PlanError, each issue located at the line and column of the offending node.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { checkDag } from './dag.js';
import { formatPath, parsePath, PlanError, type PathSegment, type PlanIssue } from './errors.js';
import { dagTasksOf, hierarchyIssues, type HierarchyContext } from './hierarchy.js';
import { loadPlanTree, type CheckedFile } from './plan-files.js';
import { PlanSchema, type Plan } from './schema.js';
import { didYouMean } from './suggest.js';

export type PlanFormat = 'yaml' | 'json';

export type PlanValidation = { ok: true; plan: Plan } | { ok: false; issues: PlanIssue[] };

/**
 * Reads and validates a plan file, and the sub-plan files it names (inlined: the plan returned carries its whole
 * tree). `.yaml`/`.yml` are YAML, `.json` is JSON, anything else is sniffed.
 */
export async function loadPlanFile(file: string): Promise<Plan> {
  const result = await loadPlanTree(file, checkPlanFile);
  if (!result.ok) throw new PlanError(result.issues, file);
  return result.plan;
}

/** One plan file read and checked at its level of a tree of plans, with a way to place issues in it. */
async function checkPlanFile(file: string, context: HierarchyContext): Promise<CheckedFile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (error as Error).message;
    throw new PlanError([{ file, path: '', message: `cannot read the plan file: ${reason}` }], file);
  }
  return validatePlanText(text, file, formatOf(file), { ...context, files: true });
}

function formatOf(file: string): PlanFormat | 'auto' {
  const extension = extname(file).toLowerCase();
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  if (extension === '.json') return 'json';
  return 'auto';
}

/** Parses and validates plan text; throws a PlanError listing every problem. */
export function parsePlanText(text: string, file?: string, format: PlanFormat | 'auto' = 'auto'): Plan {
  const { result } = validatePlanText(text, file, format);
  if (!result.ok) throw new PlanError(result.issues, file);
  return result.plan;
}

/** `context.files`: whether `plan:` may name a file (only a plan file loaded by loadPlanFile inlines them). */
function validatePlanText(
  text: string,
  file: string | undefined,
  format: PlanFormat | 'auto',
  context: HierarchyContext = {},
): CheckedFile {
  const withFile = (issue: PlanIssue): PlanIssue => (file === undefined ? issue : { file, ...issue });
  const unplaced = { value: undefined, place: () => ({}) };
  if (text.trim() === '') {
    return { result: { ok: false, issues: [withFile({ path: '', message: EMPTY_PLAN })] }, ...unplaced };
  }
  const actual = format === 'auto' ? (/^\s*[{[]/.test(text) ? 'json' : 'yaml') : format;
  const lineCounter = new LineCounter();
  // YAML 1.2 is a superset of JSON, so one parser gives positions for both formats.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true });
  const position = (offset: number): Pick<PlanIssue, 'line' | 'column'> => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  if (actual === 'json') {
    // The YAML parser forgives what JSON forbids (trailing commas, comments), so JSON.parse decides.
    const syntax = jsonSyntaxIssue(text, doc, position);
    if (syntax) return { result: { ok: false, issues: [withFile(syntax)] }, ...unplaced };
  }
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((error) =>
      withFile({
        path: '',
        ...position(error.pos[0]),
        message: `${actual === 'json' ? 'JSON' : 'YAML'} syntax error: ${firstLine(error.message)}`,
      }),
    );
    return { result: { ok: false, issues }, ...unplaced };
  }
  if (doc.contents === null) {
    return { result: { ok: false, issues: [withFile({ path: '', message: EMPTY_PLAN })] }, ...unplaced };
  }

  const value: unknown = doc.toJS({ maxAliasCount: 1000 });
  const place = (path: string, preferKey = false): Pick<PlanIssue, 'line' | 'column'> => {
    const range = locate(doc, parsePath(path), preferKey)?.range;
    return range ? position(range[0]) : {};
  };
  const result = validatePlanObject(value, undefined, context);
  if (result.ok) return { result, value, place };
  const issues = result.issues.map((issue) =>
    withFile({ ...issue, ...place(issue.path, KEY_ISSUE.test(issue.message)) }),
  );
  // Stable: issues at the same place keep the order they were found in.
  issues.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.column ?? 0) - (b.column ?? 0));
  return { result: { ok: false, issues }, value, place };
}

const EMPTY_PLAN = 'the plan is empty: expected a mapping with "version", "name" and "tasks"';

/** Messages about a key itself (not its value) point at the key. */
const KEY_ISSUE = /^(unknown key|invalid key)/;

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
}

function jsonSyntaxIssue(
  text: string,
  doc: Document,
  position: (offset: number) => Pick<PlanIssue, 'line' | 'column'>,
): PlanIssue | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const raw = (error as Error).message;
    const at = / in JSON at position (\d+)/.exec(raw);
    let offset = at ? Number(at[1]) : undefined;
    if (offset === undefined && /end of JSON input/.test(raw)) offset = text.length;
    if (offset === undefined) offset = doc.errors[0]?.pos[0];
    const message = raw.replace(/ in JSON at position \d+.*$/s, '').replace(/, ".*" is not valid JSON$/s, '');
    return { path: '', ...(offset === undefined ? {} : position(offset)), message: `JSON syntax error: ${message}` };
  }
}

/** The node at `path`, or the deepest existing node on the way (the parent of a missing key). */
function locate(doc: Document, path: readonly PathSegment[], preferKey: boolean): Node | undefined {
  let node: unknown = doc.contents;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const segment = path[i];
    const last = i === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      const valueIsEmpty = pair.value === null || (isScalar(pair.value) && pair.value.value === null);
      if (last && (preferKey || valueIsEmpty)) return pair.key as Node;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
    } else {
      break;
    }
  }
  return isAlias(node) || isMap(node) || isSeq(node) || isScalar(node) ? node : undefined;
}

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
  if (parsed.success && issues.length === 0) return { ok: true, plan: parsed.data };
  return { ok: false, issues: issues.map(withSource) };
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
