/**
 * A small canvas line plot of recent history.
 *
 * Canvas, not SVG: redrawing four plots of 300 points costs about a
 * millisecond, and a canvas adds no DOM nodes per point.
 */
import { ISeriesPoints } from '../monitor/history';

/** One line on a plot. */
export interface IPlotLine {
  label: string;
  points: ISeriesPoints;
  /** A CSS colour, e.g. `var(--jp-brand-color1)` resolved by the caller. */
  color: string;
}

/** Options of one plot. */
export interface IPlotOptions {
  /** Left edge of the time axis, unix ms. */
  start: number;
  /** Right edge of the time axis, unix ms. */
  end: number;
  /** Top of the value axis; values are clamped to [0, max]. */
  max: number;
  /** Colour of the grid lines. */
  gridColor: string;
}

/**
 * Draw `lines` onto `canvas`, sized to its CSS box and the pixel ratio.
 * Does nothing where the browser has no 2D canvas (jsdom).
 */
export function drawPlot(
  canvas: HTMLCanvasElement,
  lines: IPlotLine[],
  options: IPlotOptions
): void {
  const context = canvas.getContext?.('2d');
  if (!context) {
    return;
  }
  const ratio = window.devicePixelRatio || 1;
  const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
  const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
  if (canvas.width !== width || canvas.height !== height) {
    canvas.width = width;
    canvas.height = height;
  }
  context.clearRect(0, 0, width, height);
  context.strokeStyle = options.gridColor;
  context.lineWidth = 1;
  context.beginPath();
  for (const fraction of [0, 0.5, 1]) {
    const y = Math.round(fraction * (height - 1)) + 0.5;
    context.moveTo(0, y);
    context.lineTo(width, y);
  }
  context.stroke();
  const span = Math.max(1, options.end - options.start);
  context.lineWidth = Math.max(1, ratio * 1.5);
  context.lineJoin = 'round';
  for (const line of lines) {
    context.strokeStyle = line.color;
    context.beginPath();
    let drawing = false;
    const { times, values } = line.points;
    for (let i = 0; i < times.length; i++) {
      const value = values[i];
      if (Number.isNaN(value)) {
        // A gap in the data is a gap in the line, not a drop to zero.
        drawing = false;
        continue;
      }
      const x = ((times[i] - options.start) / span) * width;
      const clamped = Math.min(options.max, Math.max(0, value));
      const y = height - 1 - (clamped / options.max) * (height - 2);
      if (drawing) {
        context.lineTo(x, y);
      } else {
        context.moveTo(x, y);
        drawing = true;
      }
    }
    context.stroke();
  }
}
