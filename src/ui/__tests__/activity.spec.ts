import { UserActivity } from '../activity';

describe('UserActivity', () => {
  it('counts input, at most once per throttle window', () => {
    const now = { t: 1000 };
    const target = new EventTarget();
    const activity = new UserActivity({
      now: () => now.t,
      throttleMs: 1000,
      target
    });
    const seen: number[] = [];
    activity.active.connect((_, at) => seen.push(at));
    target.dispatchEvent(new Event('keydown'));
    now.t += 10;
    target.dispatchEvent(new Event('mousemove'));
    now.t += 1000;
    target.dispatchEvent(new Event('wheel'));
    expect(seen).toEqual([1000, 2010]);
    expect(activity.last).toBe(2010);
    activity.dispose();
    now.t += 5000;
    target.dispatchEvent(new Event('pointerdown'));
    expect(seen).toEqual([1000, 2010]);
  });

  it('counts an execution at once, whatever the throttle', () => {
    const now = { t: 0 };
    const target = new EventTarget();
    const activity = new UserActivity({ now: () => now.t, target });
    const seen: number[] = [];
    activity.active.connect((_, at) => seen.push(at));
    target.dispatchEvent(new Event('keydown'));
    now.t += 5;
    activity.note(true);
    expect(seen).toEqual([0, 5]);
    activity.dispose();
  });

  it('ignores events it does not count', () => {
    const target = new EventTarget();
    const activity = new UserActivity({ target });
    const seen: number[] = [];
    activity.active.connect((_, at) => seen.push(at));
    target.dispatchEvent(new Event('focus'));
    target.dispatchEvent(new Event('resize'));
    expect(seen).toEqual([]);
    activity.dispose();
  });
});
