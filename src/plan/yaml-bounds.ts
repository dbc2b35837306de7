// What a plan file may cost to read (DESIGN.md §9): YAML aliases may repeat a node many times (an "alias bomb"
// of a few hundred bytes expands to gigabytes), and nesting may go deeper than any plan needs. Both are measured
// on the parsed document before it becomes a value, so a refusal names the line it comes from. The yaml
// package's own guard counts aliases, not what they expand to: it refuses a valid plan that names one anchor a
// thousand times.
import { isAlias, isMap, isPair, isSeq, type Document, type Node } from 'yaml';

/** Nodes a plan may expand to once its aliases are resolved: a plan of tens of thousands of tasks fits. */
export const MAX_EXPANDED_NODES = 2_000_000;
/** Levels of nesting a plan may have; the format itself needs five. */
export const MAX_NESTING = 64;

export interface BoundsProblem {
  /** Offset in the text of the node the problem is found at. */
  offset: number;
  message: string;
}

interface Measure {
  /** Nodes the value expands to (capped just above the limit). */
  size: number;
  /** Levels below and including the node, once expanded. */
  height: number;
}

/** The first reason the document is too large or too deep to read, or undefined. */
export function boundsProblem(doc: Document): BoundsProblem | undefined {
  const measured = new Map<unknown, Measure>();
  /** Collections being measured: an alias to one of them is a cycle. */
  const measuring = new Set<unknown>();
  let problem: BoundsProblem | undefined;
  let largestAlias: { offset: number; name: string; size: number } | undefined;

  const measure = (node: unknown, depth: number): Measure => {
    if (problem) return { size: 0, height: 0 };
    const known = measured.get(node);
    if (known) return known;
    const offset = offsetOf(node);
    if (depth > MAX_NESTING) {
      problem = {
        offset,
        message: `the plan is nested more than ${MAX_NESTING} levels deep; a plan needs only a few levels`,
      };
      return { size: 0, height: 0 };
    }
    let result: Measure = { size: 1, height: 1 };
    if (isAlias(node)) {
      const target = node.resolve(doc);
      // An alias inside its own anchor is a cycle: the yaml parser reports it; count it as one node here.
      result = target && !measuring.has(target) ? measure(target, depth) : result;
      if (depth + result.height - 1 > MAX_NESTING && !problem) {
        problem = { offset, message: `the alias *${node.source} nests the plan more than ${MAX_NESTING} levels deep` };
      }
      if (!largestAlias || result.size > largestAlias.size)
        largestAlias = { offset, name: node.source, size: result.size };
    } else if (isMap(node) || isSeq(node)) {
      measuring.add(node);
      for (const item of node.items) {
        const parts = isPair(item) ? [item.key, item.value] : [item];
        for (const part of parts) {
          if (part === null || part === undefined) continue;
          const child = measure(part, depth + 1);
          result = { size: Math.min(result.size + child.size, CAP), height: Math.max(result.height, child.height + 1) };
        }
      }
      measuring.delete(node);
    }
    measured.set(node, result);
    return result;
  };

  const total = doc.contents ? measure(doc.contents, 1) : undefined;
  if (problem) return problem;
  if (total && total.size > MAX_EXPANDED_NODES) {
    const where = largestAlias ? ` (the alias *${largestAlias.name} alone stands for ${count(largestAlias.size)})` : '';
    return {
      offset: largestAlias?.offset ?? 0,
      message: `expanding the plan's YAML aliases would make it ${count(total.size)} values${where}; a plan may expand to at most ${MAX_EXPANDED_NODES.toLocaleString('en-US')} (is this an alias bomb?)`,
    };
  }
  return undefined;
}

const CAP = MAX_EXPANDED_NODES + 1;

function count(size: number): string {
  return size >= CAP ? `more than ${MAX_EXPANDED_NODES.toLocaleString('en-US')}` : size.toLocaleString('en-US');
}

function offsetOf(node: unknown): number {
  return (node as Node | undefined)?.range?.[0] ?? 0;
}

/** The yaml parser's own stack overflow on deep nesting, as a message a person can act on. */
export function isNestingOverflow(message: string): boolean {
  return /Maximum call stack size exceeded/.test(message);
}

export const TOO_DEEP = `the plan is nested too deeply to read (more than ${MAX_NESTING} levels are refused; a plan needs only a few)`;
