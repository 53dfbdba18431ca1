/**
 * A tiny DOM builder. Text always goes in through `textContent`: GPU and
 * process names come from the kernel and are untrusted, so nothing here
 * ever parses a string as HTML.
 */

/** What an element gets besides its tag. */
export interface IElementSpec {
  className?: string;
  text?: string;
  title?: string;
  attrs?: Record<string, string>;
}

/** Create an element with a class, text, attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: IElementSpec = {},
  children: (Node | null)[] = []
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  if (spec.className) {
    element.className = spec.className;
  }
  if (spec.text !== undefined) {
    element.textContent = spec.text;
  }
  if (spec.title !== undefined) {
    element.title = spec.title;
  }
  for (const [name, value] of Object.entries(spec.attrs ?? {})) {
    element.setAttribute(name, value);
  }
  for (const child of children) {
    if (child) {
      element.appendChild(child);
    }
  }
  return element;
}

/** The percent at which a meter turns to warning. */
export const METER_WARN_PERCENT = 85;
/** The percent at which a meter turns to danger. */
export const METER_DANGER_PERCENT = 95;

/**
 * A labelled bar with ARIA meter semantics: `label` on the left, `detail`
 * on the right, filled to `percent` (null draws an empty, unknown bar).
 */
export function meter(
  label: string,
  detail: string,
  percent: number | null
): HTMLElement {
  const clamped = percent === null ? null : Math.min(100, Math.max(0, percent));
  const level =
    clamped === null
      ? 'unknown'
      : clamped >= METER_DANGER_PERCENT
        ? 'danger'
        : clamped >= METER_WARN_PERCENT
          ? 'warn'
          : 'ok';
  const bar = h('div', {
    className: 'jp-GpuSession-meterBar',
    attrs: {
      role: 'meter',
      'aria-label': label,
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuetext': detail,
      ...(clamped === null ? {} : { 'aria-valuenow': clamped.toFixed(0) })
    }
  });
  const fill = h('div', { className: 'jp-GpuSession-meterFill' });
  fill.style.width = `${clamped ?? 0}%`;
  bar.appendChild(fill);
  return h('div', { className: `jp-GpuSession-meter jp-mod-${level}` }, [
    h('div', { className: 'jp-GpuSession-meterLabel' }, [
      h('span', { text: label }),
      h('span', { className: 'jp-GpuSession-meterDetail', text: detail })
    ]),
    bar
  ]);
}

/**
 * Make the children of `parent` look like `children`, reusing the nodes
 * already there: an element of the same tag keeps its identity and only
 * its changed attributes and text are written.
 *
 * #### Notes
 * A view that redraws every second (the countdown) builds its new content
 * with `h()` as usual and hands it here; a person reading or selecting the
 * text, a screen reader, or a focused button keeps its node.
 */
export function patchChildren(parent: Element, children: Node[]): void {
  let i = 0;
  for (; i < children.length; i++) {
    const next = children[i];
    const current = parent.childNodes[i];
    if (!current) {
      parent.appendChild(next);
    } else if (!Private.patchNode(current, next)) {
      parent.replaceChild(next, current);
    }
  }
  while (parent.childNodes.length > i) {
    parent.removeChild(parent.lastChild!);
  }
}

namespace Private {
  /** Patch `current` into `next`; false when it cannot be reused. */
  export function patchNode(current: Node, next: Node): boolean {
    if (current.nodeType !== next.nodeType) {
      return false;
    }
    if (!(current instanceof Element) || !(next instanceof Element)) {
      if (current.nodeValue !== next.nodeValue) {
        current.nodeValue = next.nodeValue;
      }
      return true;
    }
    if (current.tagName !== next.tagName) {
      return false;
    }
    for (const name of current.getAttributeNames()) {
      if (!next.hasAttribute(name)) {
        current.removeAttribute(name);
      }
    }
    for (const name of next.getAttributeNames()) {
      const value = next.getAttribute(name)!;
      if (current.getAttribute(name) !== value) {
        current.setAttribute(name, value);
      }
    }
    patchChildren(current, Array.from(next.childNodes));
    return true;
  }
}
