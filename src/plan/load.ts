// Reading a plan: the one module of src/plan that touches the file system.
// Every problem is collected (syntax, schema, dependency graph) and thrown together as one
// PlanError, each issue located at the line and column of the offending node.
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { parsePath, PlanError, type PathSegment, type PlanIssue } from './errors.js';
import type { HierarchyContext } from './hierarchy.js';
import { loadPlanTree, type CheckedFile } from './plan-files.js';
import type { Plan } from './schema.js';
import { EMPTY_PLAN, validatePlanObject } from './validate.js';
import { boundsProblem, isNestingOverflow, TOO_DEEP } from './yaml-bounds.js';

export { validatePlanObject, type PlanValidation } from './validate.js';

export type PlanFormat = 'yaml' | 'json';

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
        message: isNestingOverflow(error.message)
          ? TOO_DEEP
          : `${actual === 'json' ? 'JSON' : 'YAML'} syntax error: ${firstLine(error.message)}`,
      }),
    );
    const kept = issues.slice(0, 1).concat(issues.slice(1).filter((i) => i.message !== TOO_DEEP));
    return { result: { ok: false, issues: kept }, ...unplaced };
  }
  if (doc.contents === null) {
    return { result: { ok: false, issues: [withFile({ path: '', message: EMPTY_PLAN })] }, ...unplaced };
  }
  const tooLarge = boundsProblem(doc);
  if (tooLarge) {
    const issue = withFile({ path: '', ...position(tooLarge.offset), message: tooLarge.message });
    return { result: { ok: false, issues: [issue] }, ...unplaced };
  }

  // Aliases are bounded by what they expand to (boundsProblem), not by the yaml package's count of them.
  const value: unknown = doc.toJS({ maxAliasCount: -1 });
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

/**
 * Issues found once the plan is loaded (by checks that read the file system: its workspace, its agents), placed
 * at their line and column in `file` as the loader's own are.
 */
export async function placeIssues(file: string, issues: readonly PlanIssue[]): Promise<PlanIssue[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  return issues.map((issue) => {
    const range = locate(doc, parsePath(issue.path), false)?.range;
    if (!range || issue.line !== undefined) return { file, ...issue };
    const { line, col } = lineCounter.linePos(range[0]);
    return { file, ...issue, line, column: col };
  });
}

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
