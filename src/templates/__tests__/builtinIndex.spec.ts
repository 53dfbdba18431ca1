import { builtinTemplates } from '../builtin';
import { BUILTIN_IDS, builtinIndex } from '../builtinIndex';
import { buildCatalog } from '../catalog';
import { renderTemplate } from '../render';
import { BUILTIN_BODIES, BUILTIN_TEMPLATES } from '../builtin/sourceLanguage';
import { KEEPER_SOURCE_LINES } from '../builtin/keeperSource';

const english = { __: (msgid: string) => msgid };
// A translation that changes every string, to see where it shows.
const marked = { __: (msgid: string) => `«${msgid}»` };

const context = {
  notebook_path: 'work/a.ipynb',
  notebook_name: 'a.ipynb',
  platform: 'generic'
};

describe('the built-in index', () => {
  it('lists the built-in ids in menu order, each with a body', () => {
    expect(builtinIndex(english).map(e => e.id)).toEqual([...BUILTIN_IDS]);
    expect(Object.keys(BUILTIN_BODIES).sort()).toEqual([...BUILTIN_IDS].sort());
  });

  it('gives each template a non-empty label and description', () => {
    for (const entry of builtinIndex(english)) {
      expect(entry.label.trim()).not.toBe('');
      expect(entry.description.trim()).not.toBe('');
    }
  });

  it('is where the catalog takes ids, labels and descriptions from', () => {
    const entries = builtinIndex(marked);
    const catalog = buildCatalog(
      [],
      builtinTemplates(entries, KEEPER_SOURCE_LINES)
    );
    expect(catalog.problems).toEqual([]);
    expect(
      catalog.templates.map(({ id, label, description }) => ({
        id,
        label,
        description
      }))
    ).toEqual(entries);
  });

  it('translates labels and descriptions, never the cells', () => {
    const translated = buildCatalog(
      [],
      builtinTemplates(builtinIndex(marked), KEEPER_SOURCE_LINES)
    );
    const source = buildCatalog([], BUILTIN_TEMPLATES);
    for (const id of BUILTIN_IDS) {
      const a = translated.templates.find(t => t.id === id)!;
      const b = source.templates.find(t => t.id === id)!;
      expect(a.label).toBe(`«${b.label}»`);
      expect(renderTemplate(a, {}, context)).toEqual(
        renderTemplate(b, {}, context)
      );
    }
  });
});
