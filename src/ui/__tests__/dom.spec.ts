import { h, patchChildren } from '../dom';

describe('patchChildren', () => {
  it('keeps the nodes of the same shape and writes only what changed', () => {
    const parent = h('div');
    patchChildren(parent, [
      h('p', { className: 'a', text: 'one' }),
      h('span', { text: 'two' })
    ]);
    const p = parent.firstElementChild!;
    const text = p.firstChild!;
    patchChildren(parent, [
      h('p', { className: 'b', text: 'uno' }),
      h('span', { text: 'two' })
    ]);
    expect(parent.firstElementChild).toBe(p);
    expect(p.firstChild).toBe(text);
    expect(p.className).toBe('b');
    expect(parent.textContent).toBe('unotwo');
  });

  it('replaces a node of another tag and removes what is left over', () => {
    const parent = h('div');
    patchChildren(parent, [h('p', { text: 'x' }), h('p', { text: 'y' })]);
    const first = parent.firstChild;
    patchChildren(parent, [h('div', { attrs: { title: 't' } })]);
    expect(parent.childNodes.length).toBe(1);
    expect(parent.firstChild).not.toBe(first);
    expect((parent.firstChild as HTMLElement).title).toBe('t');
  });

  it('drops attributes the new content does not have', () => {
    const parent = h('div');
    patchChildren(parent, [h('p', { attrs: { 'aria-valuenow': '3' } })]);
    patchChildren(parent, [h('p')]);
    expect(parent.firstElementChild!.hasAttribute('aria-valuenow')).toBe(false);
  });
});
