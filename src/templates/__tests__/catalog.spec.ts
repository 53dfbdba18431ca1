import { BUILTIN_IDS } from '../builtinIndex';
import { buildCatalog, parseTemplate } from '../catalog';
import { BUILTIN_TEMPLATES } from '../builtin/sourceLanguage';

const minimal = {
  id: 'mine',
  label: 'Mine',
  variables: [{ name: 'folder', label: 'Folder', kind: 'path', default: 'x' }],
  cells: [{ type: 'code', source: 'print({{py:folder}})' }]
};

describe('the built-in catalog', () => {
  it('has the five built-in templates, all valid', () => {
    const catalog = buildCatalog([], BUILTIN_TEMPLATES);
    expect(catalog.problems).toEqual([]);
    expect(catalog.templates.map(t => t.id)).toEqual([...BUILTIN_IDS]);
    expect(catalog.templates.every(t => t.builtin)).toBe(true);
  });

  it('starts each template with a markdown cell', () => {
    for (const raw of BUILTIN_TEMPLATES) {
      const template = parseTemplate(raw, true);
      expect(template.cells[0].type).toBe('markdown');
      expect(template.cells.some(cell => cell.type === 'code')).toBe(true);
    }
  });
});

describe('user templates', () => {
  it('are added after the built-in ones', () => {
    const catalog = buildCatalog([minimal], BUILTIN_TEMPLATES);
    expect(catalog.problems).toEqual([]);
    const mine = catalog.templates.find(t => t.id === 'mine')!;
    expect(mine.builtin).toBe(false);
    expect(mine.version).toBe(1);
  });

  it.each([
    ['no id', { ...minimal, id: undefined }, '#1', '"id"'],
    ['a built-in id', { ...minimal, id: 'gpu-check' }, 'gpu-check', 'taken'],
    ['no cells', { ...minimal, cells: [] }, 'mine', '"cells"'],
    ['an unknown key', { ...minimal, colour: 'red' }, 'mine', 'colour'],
    [
      'an unknown variable',
      { ...minimal, cells: [{ type: 'code', source: '{{py:nope}}' }] },
      'mine',
      'unknown variable'
    ],
    [
      'an unknown quoting',
      { ...minimal, cells: [{ type: 'code', source: '{{raw:folder}}' }] },
      'mine',
      'unknown quoting'
    ],
    [
      'shell quoting in a Python cell',
      { ...minimal, cells: [{ type: 'code', source: 'x = {{sh:folder}}' }] },
      'mine',
      'Python cell'
    ],
    [
      'Python quoting in a %%bash cell',
      {
        ...minimal,
        cells: [{ type: 'code', source: '%%bash\nls {{py:folder}}' }]
      },
      'mine',
      'shell cell'
    ],
    [
      'a value on a ! line',
      { ...minimal, cells: [{ type: 'code', source: '!ls {{py:folder}}' }] },
      'mine',
      'IPython would expand'
    ],
    [
      'a bad default',
      {
        ...minimal,
        variables: [{ name: 'n', label: 'N', kind: 'integer', default: 'ten' }],
        cells: [{ type: 'code', source: '{{int:n}}' }]
      },
      'mine',
      'default'
    ],
    [
      'a reserved name',
      {
        ...minimal,
        variables: [{ name: 'platform', label: 'P', kind: 'text' }]
      },
      'mine',
      'reserved'
    ],
    [
      'a choice without choices',
      {
        ...minimal,
        variables: [{ name: 'c', label: 'C', kind: 'choice' }]
      },
      'mine',
      'choices'
    ]
  ])('with %s are reported by name and skipped', (_, raw, name, message) => {
    const catalog = buildCatalog(
      [raw, { ...minimal, id: 'other' }],
      BUILTIN_TEMPLATES
    );
    expect(catalog.problems).toHaveLength(1);
    expect(catalog.problems[0].name).toBe(name);
    expect(catalog.problems[0].message).toContain(message);
    // The others keep working.
    expect(catalog.templates.map(t => t.id)).toContain('other');
    expect(catalog.templates).toHaveLength(BUILTIN_IDS.length + 1);
  });

  it('reports a setting that is not a list', () => {
    const catalog = buildCatalog({ id: 'x' }, BUILTIN_TEMPLATES);
    expect(catalog.problems[0].name).toBe('templates');
    expect(catalog.templates).toHaveLength(BUILTIN_IDS.length);
  });

  it('accepts sources written as lists of lines', () => {
    const template = parseTemplate({
      ...minimal,
      cells: [{ type: 'code', source: ['a = 1', 'b = {{py:folder}}'] }]
    });
    expect(template.cells[0].source).toBe('a = 1\nb = {{py:folder}}');
  });
});
