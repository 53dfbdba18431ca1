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

/** Thresholds (percent) at which a meter turns to warning and danger. */
export const METER_WARN_PERCENT = 85;
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
