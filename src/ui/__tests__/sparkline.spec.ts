import { drawPlot } from '../sparkline';

/** A 2D context that records the path operations drawn on it. */
class RecordingContext {
  calls: string[] = [];
  strokeStyle = '';
  lineWidth = 1;
  lineJoin = '';
  clearRect() {
    this.calls.push('clear');
  }
  beginPath() {
    this.calls.push('begin');
  }
  moveTo(x: number, y: number) {
    this.calls.push(`move ${Math.round(x)},${Math.round(y)}`);
  }
  lineTo(x: number, y: number) {
    this.calls.push(`line ${Math.round(x)},${Math.round(y)}`);
  }
  stroke() {
    this.calls.push('stroke');
  }
}

function canvasWith(context: RecordingContext | null): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  Object.defineProperty(canvas, 'clientWidth', { value: 101 });
  Object.defineProperty(canvas, 'clientHeight', { value: 51 });
  canvas.getContext = (() =>
    context) as unknown as HTMLCanvasElement['getContext'];
  return canvas;
}

describe('drawPlot', () => {
  const options = { start: 0, end: 100, max: 100, gridColor: 'grey' };

  it('draws a line through the points, scaled to the canvas', () => {
    const context = new RecordingContext();
    const canvas = canvasWith(context);
    drawPlot(
      canvas,
      [
        {
          label: 'GPU 0',
          color: 'blue',
          points: {
            times: Float64Array.from([0, 50, 100]),
            values: Float32Array.from([0, 100, 50])
          }
        }
      ],
      options
    );
    expect(canvas.width).toBe(101);
    const line = context.calls.slice(context.calls.lastIndexOf('begin'));
    expect(line).toEqual([
      'begin',
      'move 0,50',
      'line 51,1',
      'line 101,26',
      'stroke'
    ]);
    expect(context.strokeStyle).toBe('blue');
  });

  it('leaves a gap where a value is missing and clamps out-of-range values', () => {
    const context = new RecordingContext();
    drawPlot(
      canvasWith(context),
      [
        {
          label: 'GPU 0',
          color: 'blue',
          points: {
            times: Float64Array.from([0, 25, 50, 75]),
            values: Float32Array.from([10, NaN, 150, -5])
          }
        }
      ],
      options
    );
    const line = context.calls.slice(context.calls.lastIndexOf('begin'));
    expect(line).toEqual([
      'begin',
      'move 0,45',
      'move 51,1',
      'line 76,50',
      'stroke'
    ]);
  });

  it('does nothing without a 2D context', () => {
    const canvas = canvasWith(null);
    expect(() => drawPlot(canvas, [], options)).not.toThrow();
  });
});
