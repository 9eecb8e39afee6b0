/**
 * The import direction of the layers, and no import cycles (type-only imports included), read
 * with the TypeScript compiler's own import scanner; and docs/architecture.md names exactly the
 * folders that exist.
 *
 * Layers, bottom first: a file imports only from its own layer and the layers before it.
 *   core, i18n → capture → decode → tcp → app → src/record.ts → src/dissect.ts → fields → filter
 *   → render → src/index.ts
 * The edge (cli/, web/, bench/) may import anything under src/; nothing under src/ imports the edge.
 *
 * KNOWN_VIOLATIONS lists, one `from → to` pair each with its reason, the imports that break these
 * rules today. It may only shrink: an import that breaks a rule and is not listed fails the test,
 * and so does a listed pair that no longer breaks a rule (delete it then).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { REPO } from './support/tshark.js';

/** Layers of src/, bottom first: a folder (`src/tcp`) or a file (`src/record.ts`). */
export const LAYERS = [
  'src/core', 'src/i18n', 'src/capture', 'src/decode', 'src/tcp', 'src/app', 'src/record.ts', 'src/dissect.ts',
  'src/fields', 'src/filter', 'src/render', 'src/scale', 'src/index.ts',
] as const;
/** Folders at the edge: they may import anything under src/, and src/ never imports them. */
export const EDGE = ['cli', 'web', 'bench'] as const;

/**
 * Imports that break the rules today, being removed by the architecture work (issue 8). Each
 * entry is one import `from → to` (repository-relative paths) with the reason it is wrong.
 * Every entry also takes that import out of the cycle check. Shrink only.
 */
export const KNOWN_VIOLATIONS: Array<{ from: string; to: string; reason: string }> = [
];

interface Edge { from: string; to: string; typeOnly: boolean }

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...tsFiles(p));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Every file under src/ and the edge folders, repository-relative. */
function projectFiles(): string[] {
  return ['src', ...EDGE].flatMap((d) => tsFiles(join(REPO, d))).map((f) => relative(REPO, f));
}

/** Whether an import declaration imports only types (`import type …`, `export type … from`, or every name `type X`). */
function typeOnly(node: ts.Node): boolean {
  if (ts.isImportDeclaration(node)) {
    const c = node.importClause;
    if (!c) return false; // a side-effect import
    if (c.isTypeOnly) return true;
    if (c.name) return false;
    const b = c.namedBindings;
    return !!b && ts.isNamedImports(b) && b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
  }
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const b = node.exportClause;
    return !!b && ts.isNamedExports(b) && b.elements.length > 0 && b.elements.every((e) => e.isTypeOnly);
  }
  return false;
}

/** The project-internal imports of one file: import/export … from, import(), `import x = require()`. */
function importsOf(file: string): Edge[] {
  const text = readFileSync(join(REPO, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const out: Edge[] = [];
  const add = (spec: string, isType: boolean): void => {
    if (!spec.startsWith('.')) return; // a package or node: builtin (test/architecture.test.ts polices those)
    let to = relative(REPO, resolve(REPO, dirname(file), spec)).replace(/\.js$/, '.ts');
    if (!to.endsWith('.ts')) to = existsSync(join(REPO, `${to}.ts`)) ? `${to}.ts` : join(to, 'index.ts');
    out.push({ from: file, to, typeOnly: isType });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node.moduleSpecifier.text, typeOnly(node));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      add(node.arguments[0].text, false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node.argument.literal.text, true); // `import('./x.js').T` in a type
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node.moduleReference.expression.text, node.isTypeOnly);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** The layer of a file: its index in LAYERS, EDGE_RANK for the edge, undefined when it belongs nowhere. */
const EDGE_RANK = LAYERS.length;
function layerOf(file: string): number | undefined {
  const i = LAYERS.findIndex((l) => file === l || file.startsWith(`${l}/`));
  if (i >= 0) return i;
  if (EDGE.some((e) => file.startsWith(`${e}/`))) return EDGE_RANK;
  return undefined;
}
const layerName = (file: string): string => {
  const l = layerOf(file);
  return l === undefined ? '?' : l === EDGE_RANK ? file.split('/')[0]! : LAYERS[l]!;
};

/** The import rule an edge breaks, or undefined. */
function ruleBroken(e: Edge): string | undefined {
  const a = layerOf(e.from), b = layerOf(e.to);
  if (a === undefined || b === undefined) return undefined; // reported by the "every file has a layer" test
  if (b === EDGE_RANK && a !== EDGE_RANK) return `${layerName(e.from)} imports the edge (${layerName(e.to)})`;
  if (a !== EDGE_RANK && b > a) return `${layerName(e.from)} imports ${layerName(e.to)}, a layer above it`;
  return undefined;
}

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(files: string[], edges: Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) next.get(e.from)?.push(e.to);
  const index = new Map<string, number>(), low = new Map<string, number>(), on = new Set<string>();
  const stack: string[] = [], out: string[][] = [];
  let n = 0;
  const strong = (v: string): void => {
    index.set(v, n); low.set(v, n); n++;
    stack.push(v); on.add(v);
    for (const w of next.get(v) ?? []) {
      if (!index.has(w)) { strong(w); low.set(v, Math.min(low.get(v)!, low.get(w)!)); }
      else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do { w = stack.pop()!; on.delete(w); scc.push(w); } while (w !== v);
      if (scc.length > 1 || (next.get(v) ?? []).includes(v)) out.push(scc.sort());
    }
  };
  for (const f of files) if (!index.has(f)) strong(f);
  return out;
}

const FILES = projectFiles();
const EDGES = FILES.flatMap(importsOf);
const allowed = (e: Edge): boolean => KNOWN_VIOLATIONS.some((k) => k.from === e.from && k.to === e.to);
const show = (e: Edge): string => `${e.from} → ${e.to}${e.typeOnly ? ' (type-only)' : ''}`;

test('the import scanner sees the project (a sanity check on the parser)', () => {
  assert.ok(FILES.length > 50, `${FILES.length} files`);
  assert.ok(FILES.includes('src/index.ts') && FILES.includes('cli/main.ts'));
  // a plain import, a type-only import and a side-effect import, as they stand in src/index.ts
  const idx = EDGES.filter((e) => e.from === 'src/index.ts');
  assert.ok(idx.some((e) => e.to === 'src/capture/reader.ts' && !e.typeOnly));
  assert.ok(idx.some((e) => e.to === 'src/capture/types.ts' && e.typeOnly));
  assert.ok(idx.some((e) => e.to === 'src/fields/index.ts'));
  for (const e of EDGES) assert.ok(existsSync(join(REPO, e.to)), `${show(e)}: no such file`);
  // the rules themselves
  assert.equal(ruleBroken({ from: 'src/tcp/x.ts', to: 'src/record.ts', typeOnly: true }), 'src/tcp imports src/record.ts, a layer above it');
  assert.equal(ruleBroken({ from: 'src/render/x.ts', to: 'src/tcp/y.ts', typeOnly: false }), undefined);
  assert.equal(ruleBroken({ from: 'src/i18n/x.ts', to: 'src/core/y.ts', typeOnly: false }), undefined);
  assert.equal(ruleBroken({ from: 'src/core/x.ts', to: 'src/i18n/y.ts', typeOnly: false }), 'src/core imports src/i18n, a layer above it');
  assert.equal(ruleBroken({ from: 'cli/x.ts', to: 'src/index.ts', typeOnly: false }), undefined);
  assert.match(ruleBroken({ from: 'src/index.ts', to: 'cli/x.ts', typeOnly: true })!, /imports the edge/);
  assert.deepEqual(cycles(['a', 'b', 'c'], [{ from: 'a', to: 'b', typeOnly: true }, { from: 'b', to: 'a', typeOnly: false }, { from: 'b', to: 'c', typeOnly: false }]), [['a', 'b']]);
});

test('every file of src/ and the edge belongs to a layer', () => {
  assert.deepEqual(FILES.filter((f) => layerOf(f) === undefined), [], 'add the new folder to LAYERS or EDGE (and to docs/architecture.md)');
});

test('imports go down the layers: no new violation', () => {
  const bad = EDGES.filter((e) => ruleBroken(e) && !allowed(e)).map((e) => `${show(e)}: ${ruleBroken(e)}`);
  assert.deepEqual(bad, [], 'imports against the layer order (move the code, or pass the value in from above)');
});

test('no import cycles (type-only imports included): no new cycle', () => {
  const found = cycles(FILES, EDGES.filter((e) => !allowed(e)));
  const describe = found.map((scc) => `${scc.join(' ⇄ ')}\n    ${EDGES.filter((e) => scc.includes(e.from) && scc.includes(e.to)).map(show).join('\n    ')}`);
  assert.deepEqual(describe, [], 'import cycles');
});

test('KNOWN_VIOLATIONS only shrinks: every entry is still an import that breaks a rule', () => {
  const stale: string[] = [];
  for (const k of KNOWN_VIOLATIONS) {
    const e = EDGES.find((x) => x.from === k.from && x.to === k.to);
    if (!e) { stale.push(`${k.from} → ${k.to}: no longer imported; delete the entry`); continue; }
    const closesCycle = cycles(FILES, EDGES.filter((x) => !allowed(x) || x === e)).length > 0;
    if (!ruleBroken(e) && !closesCycle) stale.push(`${k.from} → ${k.to}: breaks no rule any more; delete the entry`);
  }
  console.log(`import rules: ${FILES.length} files, ${EDGES.length} imports (${EDGES.filter((e) => e.typeOnly).length} type-only), ${KNOWN_VIOLATIONS.length} known violations left to remove`);
  assert.deepEqual(stale, []);
});

test('docs/architecture.md names every folder of src/ and the edge, and only folders that exist', () => {
  const doc = readFileSync(join(REPO, 'docs/architecture.md'), 'utf8');
  const srcFolders = readdirSync(join(REPO, 'src')).filter((d) => statSync(join(REPO, 'src', d)).isDirectory()).sort();
  const edge = EDGE.filter((d) => existsSync(join(REPO, d)));
  const named = new Set([...doc.matchAll(/(?<![\w./-])((?:src\/)?[a-z][\w-]*)\/(?![\w])/g)].map((m) => m[1]!));
  const missing = [...srcFolders.map((d) => `src/${d}`), ...edge].filter((d) => !named.has(d));
  assert.deepEqual(missing, [], 'folders docs/architecture.md does not name (as `src/NAME/`)');
  const paths = [...doc.matchAll(/(?<![\w./-])((?:src|cli|web|bench|test|docs)\/[\w./-]*[\w/])/g)].map((m) => m[1]!);
  assert.ok(paths.length > 20, `${paths.length} paths`);
  const gone = [...new Set(paths)].filter((p) => !existsSync(join(REPO, p)));
  assert.deepEqual(gone, [], 'paths docs/architecture.md names that do not exist');
});

test('no machine paths in the repository: shared inputs are found relative to it', () => {
  const machine = new RegExp(`(?<![\\w.])/(?:${['work', 'home', 'Users'].join('|')})/`);
  const roots = ['src', 'cli', 'test', 'bench', 'docs', '.ci'];
  const files = [...roots.flatMap((d) => {
    const walk = (dir: string): string[] => !existsSync(dir) ? [] : readdirSync(dir).flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? walk(p) : /\.(ts|js|json|md|sh)$|^run$/.test(n) ? [p] : [];
    });
    return walk(join(REPO, d));
  }), join(REPO, 'README.md'), join(REPO, 'package.json')];
  assert.ok(files.length > 80, `${files.length} files`);
  const bad = files.flatMap((f) => readFileSync(f, 'utf8').split('\n').flatMap((l, i) => machine.test(l) ? [`${relative(REPO, f)}:${i + 1}: ${l.trim()}`] : []));
  assert.deepEqual(bad, []);
});
