import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import { nullTranslator } from '@jupyterlab/translation';
import { readLimits } from '../limitsClient';
import { resolvePolicy } from '../policy';
import { CountdownSection } from '../section';
import { SessionClock } from '../sessionClock';
import { DEFAULT_COUNTDOWN_SETTINGS } from '../settings';

import { limitsJson as serverJson, T0 } from './limitsFixture';

/** The handler's answer with kernel culling on, and `remote` if given. */
function limitsJson(remote?: unknown): Record<string, unknown> {
  return serverJson(600, {
    jupyterhub: null,
    ...(remote === undefined ? {} : { kernels_remote: remote })
  });
}

const GATEWAY = {
  gateway: true,
  note: "kernels run behind a gateway; kernel culling is the gateway's"
};

const NOTE = '.jp-GpuSession-kernelsRemote';

describe('kernels behind a gateway', () => {
  it('reads kernels_remote, and null where the server leaves it out', () => {
    expect(readLimits(limitsJson(GATEWAY)).kernels_remote).toEqual({
      gateway: true
    });
    expect(readLimits(limitsJson()).kernels_remote).toBeNull();
  });

  it('names the bad field of a malformed kernels_remote', () => {
    expect(() => readLimits(limitsJson({ gateway: 'yes' }))).toThrow(
      'limits.kernels_remote.gateway'
    );
    expect(() => readLimits(limitsJson('gateway'))).toThrow(
      'limits.kernels_remote'
    );
  });

  it("does not count down the server's kernel culling for the gateway's kernels", () => {
    const settings = { preset: 'custom', lifetimeMinutes: null };
    const local = resolvePolicy(
      { ...settings, idleTimeoutMinutes: null },
      null,
      readLimits(limitsJson())
    );
    expect(local.idleTimeoutMs?.value).toBe(600_000);
    const remote = resolvePolicy(
      { ...settings, idleTimeoutMinutes: null },
      null,
      readLimits(limitsJson(GATEWAY))
    );
    expect(remote.idleTimeoutMs).toBeNull();
  });

  it('says in the countdown section whose limits these are', () => {
    const clock = new SessionClock({
      now: () => T0 + 60_000,
      store: { getItem: () => null, setItem: () => undefined }
    });
    clock.setSettings({ ...DEFAULT_COUNTDOWN_SETTINGS, preset: 'custom' });
    const section = new CountdownSection(clock, nullTranslator);
    Widget.attach(section, document.body);
    clock.setServerLimits({ ok: true, limits: readLimits(limitsJson()) });
    MessageLoop.flush();
    expect(clock.kernelsBehindGateway).toBe(false);
    expect(section.node.querySelector(NOTE)).toBeNull();

    clock.setServerLimits({
      ok: true,
      limits: readLimits(limitsJson(GATEWAY))
    });
    MessageLoop.flush();
    expect(clock.kernelsBehindGateway).toBe(true);
    expect(section.node.querySelector(NOTE)?.textContent).toBe(
      "Kernels run on a kernel gateway: the server limits here are this Jupyter server's, not those of the machine the kernels run on. The gateway culls idle kernels by its own settings, which this server cannot read."
    );
    section.dispose();
  });
});
