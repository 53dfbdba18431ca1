/**
 * What the templates plugin pulls into JupyterLab's startup chunk: the
 * modules reachable from plugin.ts through static, non-type imports. The
 * bodies, checks, dialog and rendering must only be reached through
 * `import()`, which webpack turns into a chunk fetched on first use.
 */
import * as path from 'path';
import {
  imports,
  relativeTo,
  SRC,
  startupModules
} from '../../__tests__/importGraph';

const DIR = path.join(SRC, 'templates');
const plugin = path.join(DIR, 'plugin.ts');
const inTemplates = (files: Iterable<string>) => relativeTo(DIR, files);

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
