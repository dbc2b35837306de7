// Architecture checks (`npm run check:architecture`): the rules of STYLE.md that a reviewer should not have to
// count by hand. Fails, listing every finding, when
//   - a file in src/ has more than 400 lines, or a file in src/workflows/ more than 300;
//   - `as any` appears in src/ (comments aside);
//   - src/ has an import cycle.
// Cycles follow every relative import: static, `import type`, `export … from`, and lazy `import()`. A cycle
// made only of type imports is erased at run time, but it still ties two rooms to each other so that neither
// can be read, moved or tested alone — so it fails too, marked "type-only" so that the fix is clear (move the
// shared type to the room both depend on). Uses TypeScript's own parser (already a dev dependency), so strings
// and comments never count as code.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
const SRC = path.join(root, 'src');
const MAX_LINES = 400;
const MAX_WORKFLOW_LINES = 300;
const WORKFLOWS = path.join(SRC, 'workflows') + path.sep;

/** Every .ts/.cts/.mts file under dir. */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.[cm]?ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

const rel = (file) => path.relative(root, file).split(path.sep).join('/');

/** A relative specifier as compiled (`./x.js`) → the source file it comes from, if it is one of ours. */
function resolveImport(from, specifier, known) {
  if (!specifier.startsWith('.')) return undefined;
  const target = path.resolve(path.dirname(from), specifier);
  const candidates = [
    target.replace(/\.js$/, '.ts'),
    target.replace(/\.cjs$/, '.cts'),
    target.replace(/\.mjs$/, '.mts'),
    `${target}.ts`,
    path.join(target, 'index.ts'),
  ];
  return candidates.find((candidate) => known.has(candidate));
}

/** The imports of one file ({ specifier, typeOnly }) and where it says `as any`. */
function scan(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const imports = [];
  const anyCasts = [];
  const visit = (node) => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      const clause = node.importClause;
      const bindings = clause?.namedBindings;
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            bindings !== undefined &&
            ts.isNamedImports(bindings) &&
            bindings.elements.length > 0 &&
            bindings.elements.every((element) => element.isTypeOnly)));
      imports.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly =
        node.isTypeOnly ||
        (node.exportClause !== undefined &&
          ts.isNamedExports(node.exportClause) &&
          node.exportClause.elements.length > 0 &&
          node.exportClause.elements.every((element) => element.isTypeOnly));
      imports.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      imports.push({ specifier: node.arguments[0].text, typeOnly: false });
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) imports.push({ specifier: literal.text, typeOnly: true });
    } else if (ts.isAsExpression(node) && node.type.kind === ts.SyntaxKind.AnyKeyword) {
      anyCasts.push(source.getLineAndCharacterOfPosition(node.type.getStart(source)).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, anyCasts };
}

/** Strongly connected components of more than one module (or a module importing itself): Tarjan's algorithm. */
function cyclicComponents(graph) {
  let index = 0;
  const indices = new Map();
  const lowlinks = new Map();
  const stack = [];
  const onStack = new Set();
  const components = [];
  const strongConnect = (node) => {
    indices.set(node, index);
    lowlinks.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node).keys()) {
      if (!indices.has(next)) {
        strongConnect(next);
        lowlinks.set(node, Math.min(lowlinks.get(node), lowlinks.get(next)));
      } else if (onStack.has(next)) {
        lowlinks.set(node, Math.min(lowlinks.get(node), indices.get(next)));
      }
    }
    if (lowlinks.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || graph.get(node).has(node)) components.push(component.sort());
    }
  };
  for (const node of [...graph.keys()].sort()) if (!indices.has(node)) strongConnect(node);
  return components;
}

/** One shortest cycle through the component's first module: the modules in order, the first repeated last. */
function oneCycle(graph, component) {
  const members = new Set(component);
  const start = component[0];
  const previous = new Map();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    for (const next of graph.get(node).keys()) {
      if (!members.has(next)) continue;
      if (next === start) {
        const cycle = [start];
        for (let at = node; at !== start; at = previous.get(at)) cycle.splice(1, 0, at);
        return [...cycle, start];
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start, start];
}

const files = sourceFiles(SRC).sort();
const known = new Set(files);
const problems = { size: [], any: [], cycles: [] };
/** module → (imported module → whether every import of it there is type-only) */
const graph = new Map();

for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const lines = text.length === 0 ? 0 : text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  const limit = file.startsWith(WORKFLOWS) ? MAX_WORKFLOW_LINES : MAX_LINES;
  if (lines > limit) problems.size.push(`${rel(file)}: ${lines} lines (limit ${limit})`);
  const { imports, anyCasts } = scan(file, text);
  for (const line of anyCasts) problems.any.push(`${rel(file)}:${line}: \`as any\``);
  const edges = new Map();
  for (const { specifier, typeOnly } of imports) {
    const target = resolveImport(file, specifier, known);
    if (target) edges.set(target, (edges.get(target) ?? true) && typeOnly);
  }
  graph.set(file, edges);
}

// Cycles at run time first; then those that an `import type` closes (a value import counts as run time, even when
// the compiler drops it because only types are used: the source still says it is one).
const runtimeGraph = new Map(
  [...graph].map(([file, edges]) => [file, new Map([...edges].filter(([, typeOnly]) => !typeOnly))]),
);
const runtimeComponents = cyclicComponents(runtimeGraph);
const reported = new Set(runtimeComponents.map((component) => component.join('\n')));
const describe = (g, component) => {
  const cycle = oneCycle(g, component);
  const typeOnly = cycle.slice(1).some((to, i) => graph.get(cycle[i]).get(to));
  const note = typeOnly ? ' [type-only: closed by an `import type`]' : '';
  const more =
    component.length > cycle.length - 1
      ? ` (${component.length} modules tangled${g === graph ? ' counting type imports' : ''}: ${component.map(rel).join(', ')})`
      : '';
  return `${cycle.map(rel).join(' → ')}${note}${more}`;
};
for (const component of runtimeComponents) problems.cycles.push(describe(runtimeGraph, component));
for (const component of cyclicComponents(graph)) {
  if (!reported.has(component.join('\n'))) problems.cycles.push(describe(graph, component));
}

const sections = [
  [`Files over ${MAX_LINES} lines (src/workflows/: ${MAX_WORKFLOW_LINES})`, problems.size],
  ['`as any` in src/', problems.any],
  ['Import cycles among src/ modules', problems.cycles],
];
let failed = false;
for (const [title, found] of sections) {
  if (found.length === 0) continue;
  failed = true;
  console.error(`${title}: ${found.length}`);
  for (const line of found) console.error(`  ${line}`);
}
if (failed) process.exit(1);
console.log(`architecture: ${files.length} files in src/ — no file over its limit, no \`as any\`, no import cycle`);
