/**
 * History plots: GPU utilization, GPU memory and RAM over the last minutes.
 */
import { TranslationBundle } from '@jupyterlab/translation';
import { HISTORY_WINDOW_MS, SeriesKeys } from '../monitor/monitor';
import { SampleHistory } from '../monitor/history';
import { IProbeSample } from '../monitor/protocol';
import { h } from '../ui/dom';
import { drawPlot, IPlotLine } from '../ui/sparkline';

/** Line colours by GPU index, from the theme so dark themes work. */
const LINE_COLORS = [
  '--jp-brand-color1',
  '--jp-accent-color1',
  '--jp-warn-color1',
  '--jp-success-color1',
  '--jp-error-color1'
];

/** The plots of the sidebar; created once, redrawn on every sample. */
export class HistoryPlots {
  constructor(trans: TranslationBundle) {
    const minutes = Math.round(HISTORY_WINDOW_MS / 60000);
    this.node = h('section', {
      className: 'jp-GpuSession-section jp-GpuSession-history',
      attrs: { 'aria-label': trans.__('History') }
    });
    this.node.appendChild(
      h('h3', { text: trans._n('Last minute', 'Last %1 minutes', minutes) })
    );
    this._gpuUtil = this._addPlot(trans.__('GPU utilization %'));
    this._gpuMemory = this._addPlot(trans.__('GPU memory %'));
    this._ram = this._addPlot(trans.__('RAM %'));
  }

  /** The section element. */
  readonly node: HTMLElement;

  /** Redraw from `history`, ending at `now` (unix ms). */
  update(
    history: SampleHistory,
    sample: IProbeSample | null,
    now: number
  ): void {
    const style = getComputedStyle(this.node);
    const color = (name: string) =>
      style.getPropertyValue(name).trim() || 'currentColor';
    const start = now - HISTORY_WINDOW_MS;
    const options = {
      start,
      end: now,
      max: 100,
      gridColor: color('--jp-border-color2')
    };
    const gpus = sample?.gpus ?? [];
    const lines = (key: (index: number) => string): IPlotLine[] =>
      gpus.map((gpu, i) => ({
        label: `GPU ${gpu.index}`,
        points: history.points(key(gpu.index), start),
        color: color(LINE_COLORS[i % LINE_COLORS.length])
      }));
    this._gpuUtil.hidden = gpus.length === 0;
    this._gpuMemory.hidden = gpus.length === 0;
    drawPlot(
      this._canvas(this._gpuUtil),
      lines(SeriesKeys.gpuUtilization),
      options
    );
    drawPlot(
      this._canvas(this._gpuMemory),
      lines(SeriesKeys.gpuMemory),
      options
    );
    drawPlot(
      this._canvas(this._ram),
      [
        {
          label: 'RAM',
          points: history.points(SeriesKeys.ram, start),
          color: color(LINE_COLORS[0])
        }
      ],
      options
    );
  }

  private _addPlot(label: string): HTMLElement {
    const figure = h('figure', { className: 'jp-GpuSession-plot' }, [
      h('figcaption', { text: label }),
      h('canvas', { attrs: { role: 'img', 'aria-label': label } })
    ]);
    this.node.appendChild(figure);
    return figure;
  }

  private _canvas(figure: HTMLElement): HTMLCanvasElement {
    return figure.querySelector('canvas')!;
  }

  private _gpuUtil: HTMLElement;
  private _gpuMemory: HTMLElement;
  private _ram: HTMLElement;
}
