/**
 * The Templates section of the GPU sidebar: a button per template.
 */
import { Widget } from '@lumino/widgets';
import { TranslationBundle } from '@jupyterlab/translation';
import { h } from '../ui/dom';
import { ITemplateEntry } from './builtinIndex';

/** The sidebar section; `setTemplates` redraws it from the catalog. */
export class TemplatesSection extends Widget {
  constructor(
    private _onInsert: (id: string) => void,
    private _trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-GpuSession-templates');
  }

  /** Show a button per template. */
  setTemplates(templates: ReadonlyArray<ITemplateEntry>): void {
    const list = h('div', {
      className: 'jp-GpuSession-templateList',
      attrs: { role: 'list' }
    });
    for (const template of templates) {
      const button = h('button', {
        className: 'jp-mod-styled jp-GpuSession-templateButton',
        text: template.label,
        title: template.description,
        attrs: { type: 'button', 'data-template': template.id }
      });
      button.addEventListener('click', () => {
        this._onInsert(template.id);
      });
      list.appendChild(h('div', { attrs: { role: 'listitem' } }, [button]));
    }
    this.node.replaceChildren(
      h('h3', { text: this._trans.__('Templates') }),
      list
    );
  }
}
