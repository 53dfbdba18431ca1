import { readLimits } from '../limitsClient';
import {
  ICountdownSettings,
  IDetectedPlatform,
  IServerLimits,
  resolvePolicy
} from '../policy';

const MIN = 60_000;
const HOUR = 60 * MIN;
import { limitsJson as serverJson, T0 } from './limitsFixture';
const AUTO: ICountdownSettings = {
  preset: 'auto',
  lifetimeMinutes: null,
  idleTimeoutMinutes: null
};

const HUB_DETECTED: IDetectedPlatform = {
  id: 'jupyterhub',
  name: 'JupyterHub',
  source: 'environment variable JUPYTERHUB_API_URL',
  runtime_started_at: T0 / 1000 - 3600,
  deadline_at: null,
  idle_timeout_s: null
};

/** The handler's JSON with the hub's part, as hub.py writes it. */
function limitsJson(jupyterhub: unknown): Record<string, unknown> {
  return serverJson(0, { last_activity: T0 / 1000, jupyterhub });
}

const ADMIN_SAID = {
  user: 'alice',
  server_name: '',
  idle_timeout_s: {
    value: 3600,
    source: 'environment',
    detail: 'GPU_SESSION_HUB_IDLE_TIMEOUT'
  },
  max_age_s: {
    value: 8 * 3600,
    source: 'config',
    detail: 'c.GpuSessionHub.max_age_seconds'
  },
  activity_interval_s: 300
};

function serverLimits(jupyterhub: unknown = ADMIN_SAID): IServerLimits {
  return readLimits(limitsJson(jupyterhub));
}

describe('readLimits: the jupyterhub part', () => {
  it('reads both numbers with their source', () => {
    expect(serverLimits().hub).toEqual({
      idle_timeout_s: ADMIN_SAID.idle_timeout_s,
      max_age_s: ADMIN_SAID.max_age_s
    });
  });

  it('is null off a hub and from an older server part', () => {
    expect(serverLimits(null).hub).toBeNull();
    const older = limitsJson(null);
    delete older.jupyterhub;
    expect(readLimits(older).hub).toBeNull();
  });

  it('names the exact path of a malformed value', () => {
    expect(() =>
      serverLimits({ ...ADMIN_SAID, idle_timeout_s: { value: '1h' } })
    ).toThrow(/limits\.jupyterhub\.idle_timeout_s\.value/);
    expect(() => serverLimits({ ...ADMIN_SAID, max_age_s: undefined })).toThrow(
      /limits\.jupyterhub\.max_age_s/
    );
    expect(() => serverLimits('yes')).toThrow(/limits\.jupyterhub/);
  });
});

describe('resolvePolicy with the hub’s culler', () => {
  it('counts --max-age from the server start and says who set it', () => {
    const policy = resolvePolicy(AUTO, HUB_DETECTED, serverLimits());
    expect(policy.presetName).toBe('JupyterHub');
    expect(policy.hardEnd).toEqual({
      value: T0 + 8 * HOUR,
      source: 'server',
      detail:
        'JupyterHub stops servers this long after they start, set by the admin (c.GpuSessionHub.max_age_seconds), counted from the Jupyter server start'
    });
    expect(policy.lifetimeMs?.value).toBe(8 * HOUR);
  });

  it('uses --timeout as the idle cut-off, with its source', () => {
    const policy = resolvePolicy(AUTO, HUB_DETECTED, serverLimits());
    expect(policy.idleTimeoutMs).toEqual({
      value: HOUR,
      source: 'server',
      detail:
        "JupyterHub's idle culler, set by the admin (GPU_SESSION_HUB_IDLE_TIMEOUT)"
    });
  });

  it('takes the server’s own shutdown when it comes sooner', () => {
    const limits = {
      ...serverLimits(),
      shutdown_no_activity_timeout_s: 600
    };
    const policy = resolvePolicy(AUTO, HUB_DETECTED, limits);
    expect(policy.idleTimeoutMs?.value).toBe(10 * MIN);
    expect(policy.idleTimeoutMs?.detail).toMatch(/server shuts down/);
  });

  it('never lets the hub override a Slurm job’s end time', () => {
    const slurmEnd = T0 / 1000 + 2 * 3600;
    const slurm: IDetectedPlatform = {
      id: 'slurm',
      name: 'Slurm job 4242',
      source: 'environment variable SLURM_JOB_ID; end time from squeue',
      runtime_started_at: T0 / 1000,
      deadline_at: slurmEnd,
      idle_timeout_s: null
    };
    // --max-age later than the job's end, and sooner: the job's end wins both.
    for (const maxAge of [24 * 3600, 600]) {
      const policy = resolvePolicy(
        AUTO,
        slurm,
        serverLimits({
          ...ADMIN_SAID,
          max_age_s: { value: maxAge, source: 'config', detail: 'x' }
        })
      );
      expect(policy.hardEnd).toEqual({
        value: slurmEnd * 1000,
        source: 'detected',
        detail: `Slurm job 4242 (${slurm.source})`
      });
    }
  });

  it('leaves the user’s own numbers first', () => {
    const policy = resolvePolicy(
      { preset: 'auto', lifetimeMinutes: 90, idleTimeoutMinutes: 20 },
      HUB_DETECTED,
      serverLimits()
    );
    expect(policy.hardEnd?.source).toBe('user');
    expect(policy.hardEnd?.value).toBe(T0 + 90 * MIN);
    expect(policy.idleTimeoutMs?.source).toBe('user');
  });

  it('ignores a value the server part could not read', () => {
    const policy = resolvePolicy(
      AUTO,
      HUB_DETECTED,
      serverLimits({
        ...ADMIN_SAID,
        idle_timeout_s: {
          value: null,
          source: 'environment',
          detail: "GPU_SESSION_HUB_IDLE_TIMEOUT is not a number: '1h'"
        },
        max_age_s: null
      })
    );
    expect(policy.idleTimeoutMs).toBeNull();
    expect(policy.hardEnd).toBeNull();
  });
});
