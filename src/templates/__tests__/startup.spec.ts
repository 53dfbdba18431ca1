/**
 * What the templates plugin pulls into JupyterLab's startup chunk: the
 * modules reachable from plugin.ts through static, non-type imports. The
 * bodies, checks, dialog and rendering must only be reached through
 * `import()`, which webpack turns into a chunk fetched on first use.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const DIR = path.resolve(__dirname, '..');

function resolve(from: string, specifier: string): string | null {
  if (!specifier.startsWith('.')) {
    return null; // a package: shared by JupyterLab, not in our chunk
  }
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) {
      return candidate;
    }
  }
  throw new Error(`${from}: cannot resolve ${specifier}`);
}

/** The static and dynamic local imports of one file. */
function imports(file: string): { eager: string[]; lazy: string[] } {
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
function startupModules(entry: string): Set<string> {
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

const plugin = path.join(DIR, 'plugin.ts');
const inTemplates = (files: Iterable<string>) =>
  [...files]
    .filter(f => f.startsWith(DIR + path.sep))
    .map(f => path.relative(DIR, f).split(path.sep).join('/'))
    .sort();

describe('the templates at JupyterLab start', () => {
  it('load only the plugin, the index, the settings reader, the sidebar section and the snapshot reader', () => {
    expect(inTemplates(startupModules(plugin))).toEqual([
      'builtinIndex.ts',
      'plugin.ts',
      'section.ts',
      'settings.ts',
      'snapshot.ts'
    ]);
  });

  it('reach the bodies, checks, dialog and rendering through import()', () => {
    expect(inTemplates(imports(plugin).lazy)).toEqual(['flow.ts']);
    const later = inTemplates(startupModules(path.join(DIR, 'flow.ts')));
    for (const file of [
      'builtin/index.ts',
      'builtin/driveMount.ts',
      'catalog.ts',
      'dialog.ts',
      'escape.ts',
      'insert.ts',
      'render.ts'
    ]) {
      expect(later).toContain(file);
    }
  });
});
