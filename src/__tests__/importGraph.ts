/**
 * The local import graph of the sources, read with TypeScript's parser:
 * which modules a file pulls in with static (non-type) imports, which ones
 * it reaches only through `import()` (a chunk webpack fetches on first use),
 * and every module JupyterLab's start loads from an entry.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/** The src/ folder. */
export const SRC = path.resolve(__dirname, '..');

function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) {
    return null; // a package: shared by JupyterLab, not in our chunk
  }
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [
    `${base}.ts`,
    path.join(base, 'index.ts'),
    base // a JSON schema or a stylesheet
  ]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) {
      return candidate;
    }
  }
  throw new Error(`${from}: cannot resolve ${specifier}`);
}

/** The static and dynamic local imports of one file. */
export function imports(file: string): { eager: string[]; lazy: string[] } {
  if (!file.endsWith('.ts')) {
    return { eager: [], lazy: [] };
  }
  const source = ts.createSourceFile(
    file,
    fs.readFileSync(file, 'utf8'),
    ts.ScriptTarget.ES2022,
    true
  );
  const eager: string[] = [];
  const lazy: string[] = [];
  const visit = (node: ts.Node) => {
    if (
      ts.isImportDeclaration(node) &&
      !node.importClause?.isTypeOnly &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const named = node.importClause?.namedBindings;
      const onlyTypes =
        !node.importClause?.name &&
        named &&
        ts.isNamedImports(named) &&
        named.elements.length > 0 &&
        named.elements.every(e => e.isTypeOnly);
      if (!onlyTypes) {
        eager.push(node.moduleSpecifier.text);
      }
    } else if (
      ts.isExportDeclaration(node) &&
      !node.isTypeOnly &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      eager.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments.length === 1 &&
      ts.isStringLiteral(node.arguments[0])
    ) {
      lazy.push(node.arguments[0].text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  const local = (list: string[]) =>
    list.map(s => resolve(file, s)).filter((f): f is string => f !== null);
  return { eager: local(eager), lazy: local(lazy) };
}

/** Every local module reachable from `entry` by static imports. */
export function startupModules(entry: string): Set<string> {
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (!seen.has(file)) {
      seen.add(file);
      queue.push(...imports(file).eager);
    }
  }
  return seen;
}

/** Paths relative to `dir` (with `/`), of the files under it, sorted. */
export function relativeTo(dir: string, files: Iterable<string>): string[] {
  return [...files]
    .filter(f => f.startsWith(dir + path.sep))
    .map(f => path.relative(dir, f).split(path.sep).join('/'))
    .sort();
}
