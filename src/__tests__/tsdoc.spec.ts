/**
 * Every exported declaration in src/ (tests aside) has a TSDoc comment: the
 * project's rule, checked here rather than by review.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { SRC } from './importGraph';

/** The source files of src/, tests left out. */
function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(entry => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return entry.name === '__tests__' ? [] : sourceFiles(full);
    }
    return /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')
      ? [full]
      : [];
  });
}

/** Whether `node` carries an `export` keyword. */
function isExported(node: ts.Node): boolean {
  return (
    ts.canHaveModifiers(node) &&
    (ts.getModifiers(node) ?? []).some(
      m => m.kind === ts.SyntaxKind.ExportKeyword
    )
  );
}

/** The names of `file`'s exported declarations that have no TSDoc. */
function undocumented(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const missing: string[] = [];
  const visit = (statements: ts.NodeArray<ts.Statement>, prefix: string) => {
    for (const node of statements) {
      if (!isExported(node)) {
        continue;
      }
      // A namespace's exports are checked one by one, below.
      if (ts.isModuleDeclaration(node) && node.body) {
        if (ts.isModuleBlock(node.body)) {
          visit(node.body.statements, `${prefix}${node.name.getText()}.`);
        }
        continue;
      }
      const docs = ts
        .getJSDocCommentsAndTags(node)
        .filter(doc => ts.isJSDoc(doc));
      if (docs.length === 0) {
        const name = ts.isVariableStatement(node)
          ? node.declarationList.declarations
              .map(d => d.name.getText())
              .join(', ')
          : ((node as ts.DeclarationStatement).name?.getText() ??
            node.getText().slice(0, 40));
        missing.push(`${prefix}${name}`);
      }
    }
  };
  visit(source.statements, '');
  return missing;
}

describe('TSDoc', () => {
  const files = sourceFiles(SRC);

  it('finds the sources', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('is on every exported declaration of src/', () => {
    const missing = files.flatMap(file =>
      undocumented(file).map(name => `${path.relative(SRC, file)}: ${name}`)
    );
    expect(missing).toEqual([]);
  });
});
