import { LazySessionClock } from '../lazyClock';
import { SessionClock } from '../sessionClock';
import { DEFAULT_COUNTDOWN_SETTINGS } from '../settings';
import { serverLimits as limits, T0 } from './limitsFixture';

const MIN = 60_000;

/** A facade whose chunk loads are counted. */
function makeFacade(now: { t: number }) {
  const loads = { count: 0 };
  const clock = new LazySessionClock({
    now: () => now.t,
    store: null,
    load: () => {
      loads.count++;
      return import('../clockModel');
    }
  });
  return { clock, loads };
}

/** Let the chunk's promise settle. */
const settle = () => new Promise(resolve => setTimeout(resolve, 0));

describe('LazySessionClock', () => {
  it('fetches nothing while nothing can be counted, and says so as the model would', async () => {
    const now = { t: T0 };
    const { clock, loads } = makeFacade(now);
    let changes = 0;
    clock.changed.connect(() => changes++);
    clock.setSettings(DEFAULT_COUNTDOWN_SETTINGS);
    clock.setServerLimits(limits(0));
    clock.setDetected(null);
    clock.setInterruption(null);
    await settle();
    expect(loads.count).toBe(0);
    expect(clock.model).toBeNull();
    expect(clock.tick()).toEqual([]);
    expect(changes).toBe(1);

    const model = new SessionClock({ now: () => now.t });
    model.setSettings(DEFAULT_COUNTDOWN_SETTINGS);
    model.setServerLimits(limits(0));
    expect(clock.countdown).toEqual(model.countdown);
  });

  it('fetches the model once the server culls idle kernels, counting activity recorded before', async () => {
    const now = { t: T0 };
    const { clock, loads } = makeFacade(now);
    now.t = T0 + 2 * MIN;
    clock.recordActivity();
    now.t = T0 + 5 * MIN;
    clock.setServerLimits(limits(30 * 60));
    await settle();
    expect(loads.count).toBe(1);
    expect(clock.model).not.toBeNull();
    expect(clock.countdown.idle?.remainingMs).toBe(27 * MIN);
    expect(clock.countdown.nearest?.kind).toBe('idle');
  });

  it('hands the model every input held before, and fetches it only once', async () => {
    const now = { t: T0 + MIN };
    const { clock, loads } = makeFacade(now);
    clock.setServerLimits(limits(0));
    const settings = {
      ...DEFAULT_COUNTDOWN_SETTINGS,
      preset: 'custom',
      lifetimeMinutes: 3
    };
    clock.setSettings(settings);
    clock.setSettings(settings);
    await settle();
    expect(loads.count).toBe(1);
    expect(clock.model?.settings).toBe(settings);
    expect(clock.countdown.hard?.remainingMs).toBe(2 * MIN);
    expect(clock.tick()).toHaveLength(1);
  });

  it('fetches the model when a view asks, with nothing to count', async () => {
    const { clock } = makeFacade({ t: T0 });
    const module = await clock.loadModel();
    expect(clock.model).toBeInstanceOf(module.SessionClock);
    expect(clock.countdown.nearest).toBeNull();
  });

  it('tries again with the next input when the chunk could not be fetched', async () => {
    let fail = true;
    const clock = new LazySessionClock({
      load: () =>
        fail ? Promise.reject(new Error('offline')) : import('../clockModel')
    });
    const error = jest.spyOn(console, 'error').mockImplementation(() => {});
    clock.setServerLimits(limits(60));
    await settle();
    expect(clock.model).toBeNull();
    expect(error).toHaveBeenCalled();
    error.mockRestore();
    fail = false;
    clock.setServerLimits(limits(60));
    await settle();
    expect(clock.model).not.toBeNull();
  });
});
