import { computeCountdown, ThresholdTracker } from '../countdown';
import {
  ICountdownSettings,
  IDetectedPlatform,
  IServerLimits,
  resolvePolicy
} from '../policy';
import { PRESETS } from '../presets';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

const AUTO: ICountdownSettings = {
  preset: 'auto',
  lifetimeMinutes: null,
  idleTimeoutMinutes: null
};

function platform(
  id: string,
  extra: Partial<IDetectedPlatform> = {}
): IDetectedPlatform {
  return {
    id,
    name: id,
    source: 'environment variable TEST',
    runtime_started_at: T0 / 1000,
    deadline_at: null,
    idle_timeout_s: null,
    ...extra
  };
}

const SERVER: IServerLimits = {
  server_started_at: (T0 + 10 * MIN) / 1000,
  last_activity: null,
  cull_idle_timeout_s: 0,
  cull_busy: false,
  shutdown_no_activity_timeout_s: 0,
  hub: null,
  kernels_remote: null
};

describe('resolvePolicy and computeCountdown', () => {
  it.each(PRESETS.map(preset => [preset.id, preset]))(
    'counts down the %s preset from the runtime start',
    (id, preset) => {
      const policy = resolvePolicy(
        { ...AUTO, preset: id },
        platform('generic'),
        null
      );
      const countdown = computeCountdown(policy, T0 + HOUR, T0 + HOUR);
      if (preset.lifetimeS) {
        expect(countdown.hard?.endsAt).toBe(T0 + preset.lifetimeS * 1000);
        expect(countdown.hard?.remainingMs).toBe(
          preset.lifetimeS * 1000 - HOUR
        );
        expect(countdown.hard?.source).toBe('preset');
      } else {
        expect(countdown.hard).toBeNull();
      }
      if (preset.idleTimeoutS) {
        expect(countdown.idle?.remainingMs).toBe(preset.idleTimeoutS * 1000);
      } else {
        expect(countdown.idle).toBeNull();
      }
    }
  );

  it('follows the detected platform in auto mode', () => {
    const policy = resolvePolicy(AUTO, platform('colab'), null);
    expect(policy.presetId).toBe('colab-free');
    const countdown = computeCountdown(policy, T0, T0 + 2 * HOUR);
    expect(countdown.hard?.remainingMs).toBe(10 * HOUR);
    expect(countdown.hard?.fractionUsed).toBeCloseTo(2 / 12);
    // 90 minutes idle ends before 10 hours of lifetime.
    expect(countdown.nearest?.kind).toBe('idle');
    expect(countdown.idle?.ended).toBe(true);
  });

  it('uses the exact Slurm end time', () => {
    const end = T0 + 3 * HOUR;
    const policy = resolvePolicy(
      AUTO,
      platform('slurm', { deadline_at: end / 1000 }),
      null
    );
    const countdown = computeCountdown(policy, null, T0 + HOUR);
    expect(countdown.hard?.endsAt).toBe(end);
    expect(countdown.hard?.source).toBe('detected');
    expect(countdown.hard?.fractionUsed).toBeNull();
  });

  it('lets the user override every number', () => {
    const policy = resolvePolicy(
      { preset: 'custom', lifetimeMinutes: 3, idleTimeoutMinutes: 2 },
      platform('slurm', { deadline_at: (T0 + 5 * HOUR) / 1000 }),
      SERVER
    );
    expect(policy.hardEnd?.source).toBe('user');
    // Counted from the Jupyter server's start, not the machine's.
    expect(policy.hardEnd?.value).toBe(T0 + 13 * MIN);
    expect(policy.idleTimeoutMs?.value).toBe(2 * MIN);
  });

  it('takes the sooner of the server’s idle limits', () => {
    const policy = resolvePolicy({ ...AUTO, preset: 'jupyterhub' }, null, {
      ...SERVER,
      cull_idle_timeout_s: 3600,
      shutdown_no_activity_timeout_s: 1800
    });
    expect(policy.idleTimeoutMs).toEqual({
      value: 1800 * 1000,
      source: 'server',
      detail: 'the server shuts down after this long without activity'
    });
  });

  it('counts from the server start when nothing was detected', () => {
    const policy = resolvePolicy(
      { ...AUTO, preset: 'custom', lifetimeMinutes: 60 },
      null,
      SERVER
    );
    expect(policy.hardEnd?.value).toBe(T0 + 70 * MIN);
  });

  it('has no clocks without a policy', () => {
    const policy = resolvePolicy(AUTO, null, null);
    expect(computeCountdown(policy, null, T0)).toEqual({
      hard: null,
      idle: null,
      nearest: null
    });
  });

  it('says a passed deadline has ended', () => {
    const policy = resolvePolicy(
      { ...AUTO, preset: 'kaggle' },
      platform('kaggle'),
      null
    );
    const countdown = computeCountdown(policy, null, T0 + 13 * HOUR);
    expect(countdown.hard?.ended).toBe(true);
    expect(countdown.hard?.remainingMs).toBe(0);
    expect(countdown.hard?.fractionUsed).toBe(1);
  });

  it('restarts the idle clock with activity', () => {
    const policy = resolvePolicy(
      { ...AUTO, preset: 'colab-free' },
      platform('colab'),
      null
    );
    const before = computeCountdown(policy, T0, T0 + 80 * MIN);
    const after = computeCountdown(policy, T0 + 80 * MIN, T0 + 80 * MIN);
    expect(before.idle?.remainingMs).toBe(10 * MIN);
    expect(after.idle?.remainingMs).toBe(90 * MIN);
  });

  it('stays right when the clock jumps forward (sleep) and back', () => {
    const policy = resolvePolicy(
      { ...AUTO, preset: 'kaggle' },
      platform('kaggle'),
      null
    );
    // After a laptop sleeps for 5 hours the time left is 5 hours less.
    const slept = computeCountdown(policy, T0, T0 + 6 * HOUR);
    expect(slept.hard?.remainingMs).toBe(6 * HOUR);
    // A clock set back before the start never shows more than the lifetime.
    const back = computeCountdown(policy, T0 + HOUR, T0 - HOUR);
    expect(back.hard?.remainingMs).toBe(13 * HOUR);
    expect(back.hard?.fractionUsed).toBe(0);
    // Activity "after now" counts as now, not as extra idle time.
    expect(back.idle).toBeNull();
    const idlePolicy = resolvePolicy(
      { ...AUTO, preset: 'colab-free' },
      null,
      null
    );
    expect(computeCountdown(idlePolicy, T0 + HOUR, T0).idle?.remainingMs).toBe(
      90 * MIN
    );
  });

  it('gives the same deadline after a reload (nothing is counted in memory)', () => {
    const policy1 = resolvePolicy(
      { ...AUTO, preset: 'paperspace-free' },
      platform('paperspace'),
      null
    );
    const policy2 = resolvePolicy(
      { ...AUTO, preset: 'paperspace-free' },
      platform('paperspace'),
      null
    );
    expect(computeCountdown(policy1, null, T0 + HOUR).hard?.endsAt).toBe(
      computeCountdown(policy2, null, T0 + 2 * HOUR).hard?.endsAt
    );
  });
});

describe('ThresholdTracker', () => {
  const policy = resolvePolicy(
    { preset: 'custom', lifetimeMinutes: 120, idleTimeoutMinutes: null },
    platform('generic'),
    null
  );
  const at = (minutesLeft: number) =>
    computeCountdown(policy, null, T0 + (120 - minutesLeft) * MIN).hard!;

  it('warns once per threshold as the end nears', () => {
    const tracker = new ThresholdTracker([60, 15, 5]);
    expect(tracker.check(at(90))).toBeNull();
    expect(tracker.check(at(59))).toBe(60);
    expect(tracker.check(at(58))).toBeNull();
    expect(tracker.check(at(14))).toBe(15);
    expect(tracker.check(at(4))).toBe(5);
    expect(tracker.check(at(3))).toBeNull();
    expect(tracker.check(at(0))).toBeNull();
  });

  it('warns once with the nearest threshold when opened late', () => {
    const tracker = new ThresholdTracker([60, 15, 5]);
    expect(tracker.check(at(3))).toBe(5);
    expect(tracker.check(at(2))).toBeNull();
  });

  it('warns again when the deadline moves (idle reset)', () => {
    const idle = resolvePolicy(
      { preset: 'custom', lifetimeMinutes: null, idleTimeoutMinutes: 30 },
      null,
      null
    );
    const tracker = new ThresholdTracker([15]);
    expect(tracker.check(computeCountdown(idle, T0, T0 + 20 * MIN).idle!)).toBe(
      15
    );
    const later = T0 + 60 * MIN;
    expect(
      tracker.check(computeCountdown(idle, later, later + 20 * MIN).idle!)
    ).toBe(15);
  });

  it('ignores invalid thresholds', () => {
    const tracker = new ThresholdTracker([NaN, -5, 0, 15, 15]);
    expect(tracker.check(at(10))).toBe(15);
  });
});
