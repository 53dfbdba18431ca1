import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { nullTranslator } from '@jupyterlab/translation';
import { SessionClock } from '../sessionClock';
import { DEFAULT_COUNTDOWN_SETTINGS } from '../settings';
import { readLimits } from '../limitsClient';
import { CountdownSection } from '../section';

import { limitsJson, T0 } from './limitsFixture';

describe('CountdownSection', () => {
  function setUp() {
    const now = { t: T0 + 60_000 };
    const clock = new SessionClock({
      now: () => now.t,
      store: { getItem: () => null, setItem: () => undefined }
    });
    clock.setSettings({
      ...DEFAULT_COUNTDOWN_SETTINGS,
      preset: 'custom',
      lifetimeMinutes: 30
    });
    clock.setServerLimits({
      ok: true,
      limits: readLimits(limitsJson())
    });
    const section = new CountdownSection(clock, nullTranslator, () => now.t);
    return { now, clock, section };
  }

  it('updates its text each second in the same nodes', () => {
    const { now, clock, section } = setUp();
    Widget.attach(section, document.body);
    const label = () =>
      section.node.querySelector('.jp-GpuSession-meterLabel span')!;
    const before = label();
    expect(before.textContent).toBe('Session ends in 29m');
    const clockNode = section.node.querySelector('.jp-GpuSession-clock');
    now.t += 1000;
    clock.tick();
    MessageLoop.flush();
    expect(label()).toBe(before);
    expect(section.node.querySelector('.jp-GpuSession-clock')).toBe(clockNode);
    expect(label().textContent).toBe('Session ends in 28m 59s');
    section.dispose();
  });

  it('does not render while hidden, and catches up when shown', () => {
    const { now, clock, section } = setUp();
    Widget.attach(section, document.body);
    section.hide();
    now.t += 5000;
    clock.tick();
    MessageLoop.flush();
    expect(section.node.textContent).toContain('Session ends in 29m');
    section.show();
    MessageLoop.flush();
    expect(section.node.textContent).toContain('28m 55s');
    section.dispose();
  });
});
