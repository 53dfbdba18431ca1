import { buildCatalog, parseTemplate } from '../catalog';
import { initialValues } from '../values';
import { renderTemplate, TemplateValueError } from '../render';
import { IRenderContext, ITemplate } from '../types';
import hostileValues from './hostile-values.json';
import { BUILTIN_TEMPLATES } from '../builtin/sourceLanguage';

const context: IRenderContext = {
  notebook_path: 'work/My Notebook.ipynb',
  notebook_name: 'My Notebook.ipynb',
  platform: 'generic'
};

function builtin(id: string): ITemplate {
  return buildCatalog([], BUILTIN_TEMPLATES).templates.find(t => t.id === id)!;
}

const demo = parseTemplate({
  id: 'demo',
  label: 'Demo',
  variables: [
    { name: 'folder', label: 'Folder', kind: 'path', default: 'out' },
    { name: 'n', label: 'N', kind: 'integer', default: 3, minimum: 1 },
    {
      name: 'mode',
      label: 'Mode',
      kind: 'choice',
      choices: ['a', 'b'],
      default: 'a'
    },
    { name: 'note', label: 'Note', kind: 'text', optional: true }
  ],
  cells: [
    { type: 'markdown', source: 'Writes to {{md:folder}}' },
    { type: 'code', source: 'folder = {{py:folder}}\nn = {{int:n}}' },
    {
      type: 'code',
      source: '%%bash\nls -- {{sh:folder}}',
      when: { mode: ['b'] }
    },
    { type: 'code', source: 'nb = {{py:notebook_name}}' }
  ]
});

describe('renderTemplate', () => {
  it('fills placeholders, each quoted for its place', () => {
    const cells = renderTemplate(demo, { folder: "it's", mode: 'b' }, context);
    expect(cells.map(c => c.source)).toEqual([
      "Writes to it's",
      "folder = 'it\\'s'\nn = 3",
      "%%bash\nls -- 'it'\\''s'",
      "nb = 'My Notebook.ipynb'"
    ]);
    expect(cells.map(c => c.cell_type)).toEqual([
      'markdown',
      'code',
      'code',
      'code'
    ]);
  });

  it('leaves out cells whose condition does not hold', () => {
    const cells = renderTemplate(demo, { mode: 'a' }, context);
    expect(cells.some(c => c.source.startsWith('%%bash'))).toBe(false);
  });

  it('records the template id and version in every cell', () => {
    for (const cell of renderTemplate(demo, {}, context)) {
      expect(cell.metadata).toEqual({
        gpu_session: { template: 'demo', version: 1 }
      });
    }
  });

  it('reports every bad value by name', () => {
    let error: TemplateValueError | null = null;
    try {
      renderTemplate(demo, { n: '0', mode: 'c', folder: '' }, context);
    } catch (e) {
      error = e as TemplateValueError;
    }
    expect(error).toBeInstanceOf(TemplateValueError);
    expect(Object.keys(error!.problems).sort()).toEqual([
      'folder',
      'mode',
      'n'
    ]);
    expect(error!.problems.n).toContain('at least 1');
  });

  it.each(['1.5', '1e3', ' ', '2; import os', '99999999999999999999'])(
    'refuses the integer %j',
    value => {
      expect(() => renderTemplate(demo, { n: value }, context)).toThrow(
        TemplateValueError
      );
    }
  );

  it('refuses a NUL character in a shell value', () => {
    expect(() =>
      renderTemplate(demo, { folder: 'a\0b', mode: 'b' }, context)
    ).toThrow(TemplateValueError);
  });
});

describe('the built-in templates with hostile values', () => {
  const pathVariables = (template: ITemplate) =>
    template.variables.filter(v => v.kind === 'path' || v.kind === 'text');

  it.each(hostileValues as [string, string][])(
    '%s stays inside its quotes in every cell',
    (_, value) => {
      for (const template of buildCatalog([], BUILTIN_TEMPLATES).templates) {
        const values: Record<string, string> = {};
        for (const variable of pathVariables(template)) {
          values[variable.name] = value;
        }
        for (const variant of template.variables.find(v => v.name === 'variant')
          ?.choices ?? ['']) {
          const cells = renderTemplate(
            template,
            variant ? { ...values, variant } : values,
            context
          );
          for (const cell of cells) {
            // No placeholder is left, and a value never starts a line of
            // code unquoted.
            expect(cell.source).not.toMatch(/\{\{[a-z]+:/);
            if (cell.cell_type === 'markdown') {
              expect(cell.source).not.toContain('$(');
            }
          }
        }
      }
    }
  );

  it('drive-mount shows only the chosen variant', () => {
    const template = builtin('drive-mount');
    for (const variant of template.variables[0].choices!) {
      const cells = renderTemplate(template, { variant }, context);
      expect(cells).toHaveLength(2);
      expect(cells[0].cell_type).toBe('markdown');
    }
    const colab = renderTemplate(template, { variant: 'colab' }, context);
    expect(colab[1].source).toContain(
      'drive.mount(MOUNT_POINT, timeout_ms=120 * 1000)'
    );
  });

  it('checkpoint-train has a %%bash cell with pipefail and a helper cell', () => {
    const cells = renderTemplate(builtin('checkpoint-train'), {}, context);
    expect(cells[1].source.split('\n')[0]).toBe('%%bash');
    expect(cells[1].source).toContain('set -uo pipefail');
    expect(cells[2].source).toContain('os.replace(partial, path)');
  });

  it('checkpoint-train explains the Slurm signal in a Slurm job only', () => {
    const template = builtin('checkpoint-train');
    const text = (platform: string) =>
      renderTemplate(template, initialValues(template, { platform }), context)
        .map(cell => cell.source)
        .join('\n');
    const note = '#### In a Slurm job';
    expect(text('slurm')).toContain(note);
    expect(text('slurm')).toContain('#SBATCH --signal=B:USR1@300');
    for (const platform of ['colab', 'kaggle', 'generic', 'jupyterhub']) {
      expect(text(platform)).not.toContain(note);
    }
  });

  it('env-snapshot names the notebook', () => {
    const cells = renderTemplate(builtin('env-snapshot'), {}, context);
    expect(cells[1].source).toContain("NOTEBOOK = 'work/My Notebook.ipynb'");
  });
});
