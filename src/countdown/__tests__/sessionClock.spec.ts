import { Widget } from '@lumino/widgets';
import { nullTranslator } from '@jupyterlab/translation';
import { SessionClock } from '../sessionClock';
import { DEFAULT_COUNTDOWN_SETTINGS } from '../settings';
import { readLimits } from '../limitsClient';
import { limitsJson, T0 } from './limitsFixture';
import { CountdownSection } from '../section';
import { countdownStatusText } from '../statusText';

const MIN = 60_000;
const trans = nullTranslator.load('jupyterlab_gpu_session');

const LIMITS_JSON = limitsJson();

function makeClock(now: { t: number }, store = new Map<string, string>()) {
  return new SessionClock({
    now: () => now.t,
    store: {
      getItem: key => store.get(key) ?? null,
      setItem: (key, value) => void store.set(key, value)
    }
  });
}

describe('SessionClock', () => {
  it('counts a custom lifetime from the server start and warns once per threshold', () => {
    const now = { t: T0 + MIN };
    const clock = makeClock(now);
    clock.setSettings({
      ...DEFAULT_COUNTDOWN_SETTINGS,
      preset: 'custom',
      lifetimeMinutes: 3
    });
    clock.setServerLimits({ ok: true, limits: readLimits(LIMITS_JSON) });
    expect(clock.countdown.hard?.remainingMs).toBe(2 * MIN);
    expect(countdownStatusText(clock, trans)).toBe('2m left');
    const warnings = clock.tick();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ kind: 'threshold', minutes: 5 });
    expect(clock.tick()).toHaveLength(0);
  });

  it('says why server limits are unknown', () => {
    const clock = makeClock({ t: T0 });
    clock.setServerLimits({
      ok: false,
      reason: 'the server part of jupyterlab-gpu-session is not enabled'
    });
    expect(clock.serverUnknownReason).toContain('not enabled');
  });

  it('keeps the last activity across a reload', () => {
    const store = new Map<string, string>();
    const now = { t: T0 };
    const first = makeClock(now, store);
    now.t = T0 + 10_000;
    first.recordActivity();
    now.t = T0 + 20 * MIN;
    const second = makeClock(now, store);
    expect(second.lastActivity).toBe(T0 + 10_000);
  });

  it('warns when the session ends before a checkpoint would be saved', () => {
    const now = { t: T0 + 50 * MIN };
    const clock = makeClock(now);
    clock.setSettings({
      ...DEFAULT_COUNTDOWN_SETTINGS,
      preset: 'custom',
      lifetimeMinutes: 60,
      checkpointGlobs: ['~/ckpt/*.pt']
    });
    clock.setServerLimits({ ok: true, limits: readLimits(LIMITS_JSON) });
    clock.setCheckpoint({
      patterns: ['~/ckpt/*.pt'],
      newest_path: '/home/u/ckpt/a.pt',
      newest_mtime: (T0 + 5 * MIN) / 1000,
      newest_size_bytes: 10,
      matched: 1,
      error: null
    });
    const warnings = clock.tick();
    const risk = warnings.find(w => w.kind === 'work-at-risk');
    expect(risk).toMatchObject({ checkpointAgeMs: 45 * MIN });
    expect(clock.tick().find(w => w.kind === 'work-at-risk')).toBeUndefined();
  });

  it('renders both clocks, their sources and the checkpoint age', () => {
    const now = { t: T0 + 30 * MIN };
    const clock = makeClock(now);
    clock.setSettings({
      ...DEFAULT_COUNTDOWN_SETTINGS,
      preset: 'colab-free',
      checkpointGlobs: ['/c/*.pt']
    });
    clock.setDetected({
      id: 'colab',
      name: 'Google Colab',
      source: 'environment variable COLAB_RELEASE_TAG',
      runtime_started_at: T0 / 1000,
      deadline_at: null,
      idle_timeout_s: null
    });
    clock.setCheckpoint({
      patterns: ['/c/*.pt'],
      newest_path: '/c/b.pt',
      newest_mtime: (T0 - 17 * MIN) / 1000,
      newest_size_bytes: 1,
      matched: 1,
      error: null
    });
    clock.recordActivity();
    const section = new CountdownSection(clock, nullTranslator, () => now.t);
    Widget.attach(section, document.body);
    const text = section.node.textContent!;
    expect(text).toContain('Policy: Colab (free)');
    expect(text).toContain('Session ends in 11h 30m');
    expect(text).toContain('Idle cut-off in 1h 30m');
    expect(text).toContain('From preset: Colab (free) preset');
    expect(text).toContain(
      'Detected Google Colab (environment variable COLAB_RELEASE_TAG).'
    );
    expect(text).toContain('Last checkpoint 47m ago: /c/b.pt');
    expect(text).toContain('Server limits unknown: not asked yet.');
    section.dispose();
  });

  it('says when no limit is known', () => {
    const clock = makeClock({ t: T0 });
    clock.setSettings({ ...DEFAULT_COUNTDOWN_SETTINGS, preset: 'none' });
    clock.setDetected({
      id: 'generic',
      name: 'This machine',
      source: 'no hosted-platform marker found',
      runtime_started_at: null,
      deadline_at: null,
      idle_timeout_s: null
    });
    const section = new CountdownSection(clock);
    Widget.attach(section, document.body);
    expect(section.node.textContent).toContain(
      'No lifetime or idle limit is known.'
    );
    expect(section.node.textContent).toContain(
      'No hosted platform detected (no hosted-platform marker found).'
    );
    expect(countdownStatusText(clock, trans)).toBe('');
    section.dispose();
  });
});

describe('readLimits', () => {
  it('rejects a malformed answer, naming the field', () => {
    expect(() => readLimits({ ...LIMITS_JSON, kernel_culling: null })).toThrow(
      'limits.kernel_culling should be an object'
    );
  });
});
