import { SampleHistory } from '../history';

describe('SampleHistory', () => {
  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new SampleHistory(0)).toThrow(RangeError);
    expect(() => new SampleHistory(2.5)).toThrow(RangeError);
  });

  it('returns points oldest first', () => {
    const history = new SampleHistory(4);
    history.push(1, { a: 10 });
    history.push(2, { a: 20 });
    const { times, values } = history.points('a');
    expect(Array.from(times)).toEqual([1, 2]);
    expect(Array.from(values)).toEqual([10, 20]);
    expect(history.latestTime).toBe(2);
  });

  it('keeps at most `capacity` points when it wraps around', () => {
    const history = new SampleHistory(3);
    for (let t = 1; t <= 7; t++) {
      history.push(t, { a: t * 10 });
    }
    expect(history.length).toBe(3);
    expect(Array.from(history.points('a').times)).toEqual([5, 6, 7]);
    expect(Array.from(history.points('a').values)).toEqual([50, 60, 70]);
  });

  it('filters by time', () => {
    const history = new SampleHistory(10);
    for (let t = 1; t <= 5; t++) {
      history.push(t, { a: t });
    }
    expect(Array.from(history.points('a', 4).times)).toEqual([4, 5]);
    expect(history.points('a', 6).times.length).toBe(0);
  });

  it('leaves gaps (NaN) where a series had no value', () => {
    const history = new SampleHistory(5);
    history.push(1, { a: 1 });
    history.push(2, { b: 2 });
    history.push(3, { a: null, b: 3 });
    const a = Array.from(history.points('a').values);
    const b = Array.from(history.points('b').values);
    expect(a[0]).toBe(1);
    expect(a.slice(1).every(Number.isNaN)).toBe(true);
    expect(Number.isNaN(b[0])).toBe(true);
    expect(b.slice(1)).toEqual([2, 3]);
    expect(history.keys).toEqual(['a', 'b']);
  });

  it('gives an empty series for an unknown key', () => {
    const history = new SampleHistory(2);
    history.push(1, { a: 1 });
    const points = history.points('nope');
    expect(points.times.length).toBe(1);
    expect(Number.isNaN(points.values[0])).toBe(true);
  });

  it('does not grow past its capacity over a long session', () => {
    const history = new SampleHistory(1201);
    // A day at the default 2 s cadence.
    for (let t = 0; t < 43_200; t++) {
      history.push(t * 2000, { gpu: t % 100, ram: 50 });
    }
    expect(history.length).toBe(1201);
    expect(history.points('gpu').times.length).toBe(1201);
  });

  it('forgets everything on clear', () => {
    const history = new SampleHistory(2);
    history.push(1, { a: 1 });
    history.clear();
    expect(history.length).toBe(0);
    expect(history.keys).toEqual([]);
    expect(history.latestTime).toBeNull();
  });
});
