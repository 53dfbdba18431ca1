/**
 * The dialog that asks for a template's variables. Enter accepts the values
 * shown; a value that does not fit is shown again with the reason.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';
import { h } from '../ui/dom';
import { ITemplate, TemplateValues } from './types';

/** The form in the dialog's body. */
export class TemplateForm
  extends Widget
  implements Dialog.IBodyWidget<TemplateValues>
{
  constructor(
    template: ITemplate,
    values: TemplateValues,
    problems: Record<string, string>,
    trans: TranslationBundle
  ) {
    super();
    this.addClass('jp-GpuSession-templateForm');
    if (template.description) {
      this.node.appendChild(h('p', { text: template.description }));
    }
    for (const variable of template.variables) {
      const id = `jp-GpuSession-template-${template.id}-${variable.name}`;
      let field: HTMLInputElement | HTMLSelectElement;
      if (variable.kind === 'choice') {
        field = h('select', { className: 'jp-mod-styled' });
        for (const choice of variable.choices ?? []) {
          field.appendChild(
            h('option', { text: choice, attrs: { value: choice } })
          );
        }
      } else {
        field = h('input', {
          className: 'jp-mod-styled',
          attrs: {
            type: variable.kind === 'integer' ? 'number' : 'text',
            spellcheck: 'false'
          }
        });
        if (variable.kind === 'integer') {
          field.setAttribute('step', '1');
          if (variable.minimum !== undefined) {
            field.setAttribute('min', String(variable.minimum));
          }
          if (variable.maximum !== undefined) {
            field.setAttribute('max', String(variable.maximum));
          }
        }
      }
      field.id = id;
      field.name = variable.name;
      field.value = values[variable.name] ?? variable.default;
      field.style.width = '100%';
      field.style.boxSizing = 'border-box';
      this._fields.set(variable.name, field);
      const problem = problems[variable.name];
      if (problem) {
        field.setAttribute('aria-invalid', 'true');
      }
      this.node.appendChild(
        h('div', { className: 'jp-GpuSession-templateField' }, [
          h('label', { text: variable.label, attrs: { for: id } }),
          field,
          variable.description
            ? h('div', {
                className: 'jp-GpuSession-templateHelp',
                text: variable.description
              })
            : null,
          problem
            ? h('div', {
                className: 'jp-GpuSession-templateProblem',
                text: trans.__('Not accepted: %1', problem),
                attrs: { role: 'alert' }
              })
            : null
        ])
      );
    }
    if (!template.variables.length) {
      this.node.appendChild(
        h('p', { text: trans.__('This template has no variables.') })
      );
    }
  }

  /** The values as typed. */
  getValue(): TemplateValues {
    const values: TemplateValues = {};
    for (const [name, field] of this._fields) {
      values[name] = field.value;
    }
    return values;
  }

  private _fields = new Map<string, HTMLInputElement | HTMLSelectElement>();
}

/**
 * Ask for the values; null when the person cancels.
 */
export async function askTemplateValues(
  template: ITemplate,
  values: TemplateValues,
  problems: Record<string, string>,
  trans: TranslationBundle
): Promise<TemplateValues | null> {
  const result = await showDialog({
    title: trans.__('Insert %1', template.label),
    body: new TemplateForm(template, values, problems, trans),
    buttons: [
      Dialog.cancelButton(),
      Dialog.okButton({ label: trans.__('Insert') })
    ],
    focusNodeSelector: 'input, select'
  });
  return result.button.accept ? result.value : null;
}
