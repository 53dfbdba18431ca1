/**
 * Which limits apply to this session, and where each number comes from:
 * the user's settings, the platform the probe detected, the server's own
 * settings, or a preset.
 */
import type { IPlatformSample } from '../monitor/protocol';
import { findPreset, PRESET_FOR_PLATFORM } from './presets';

/** Where a number came from; the sidebar says it next to the number. */
export type LimitSource =
  | 'user'
  | 'detected'
  | 'server'
  | 'preset'
  /** A cloud's notice that this VM is being reclaimed. */
  | 'interruption';

/** A spot VM's interruption notice with a deadline (from the probe). */
export interface IInterruption {
  /** Unix seconds when the VM goes away. */
  deadline_at: number;
  /** What the cloud said, for people. */
  detail: string;
}

/** A number with its origin. */
export interface ISourced<T> {
  value: T;
  source: LimitSource;
  /** Words for a person: which preset, variable or setting. */
  detail: string;
}

/** The platform as the probe reports it (`sample.platform`). */
export type IDetectedPlatform = IPlatformSample;

/** A number of the hub's admin, with where the server part read it. */
export interface IHubSetting {
  /** Seconds; null when the admin's value could not be read. */
  value: number | null;
  /** `config` (`c.GpuSessionHub.*`) or `environment` (set by the spawner). */
  source: string;
  /** The trait or variable name, or why the value was not read. */
  detail: string;
}

/** The hub's culling as the admin described it to the server part. */
export interface IHubLimits {
  /** jupyterhub-idle-culler's `--timeout`, or null when not said. */
  idle_timeout_s: IHubSetting | null;
  /** jupyterhub-idle-culler's `--max-age`, or null when not said. */
  max_age_s: IHubSetting | null;
}

/** Where the kernels run, when that is not this server (a gateway). */
export interface IKernelsRemote {
  /** True when jupyter_server sends its kernels to a gateway (--gateway-url). */
  gateway: boolean;
}

/** What `GET /gpu-session/limits` answers (seconds and unix seconds). */
export interface IServerLimits {
  server_started_at: number | null;
  last_activity: number | null;
  cull_idle_timeout_s: number;
  cull_busy: boolean;
  shutdown_no_activity_timeout_s: number;
  /** Null off a hub, or from a server part older than this field. */
  hub: IHubLimits | null;
  /**
   * Null when kernels run under this server (the server part then leaves the
   * field out), or from a server part older than this field.
   */
  kernels_remote: IKernelsRemote | null;
}

/** The countdown's user settings. */
export interface ICountdownSettings {
  /** A preset id, `auto` (follow detection) or `custom` (numbers only). */
  preset: string;
  lifetimeMinutes: number | null;
  idleTimeoutMinutes: number | null;
}

/** The limits in force. Times are unix ms. */
export interface IPolicy {
  presetId: string | null;
  presetName: string | null;
  /** An exact end (e.g. a Slurm job's end time), or start + lifetime. */
  hardEnd: ISourced<number> | null;
  /** The lifetime, for the progress bar; null when only an end is known. */
  lifetimeMs: ISourced<number> | null;
  idleTimeoutMs: ISourced<number> | null;
}

/** Combine settings, detection and server limits into one policy. */
export function resolvePolicy(
  settings: ICountdownSettings,
  detected: IDetectedPlatform | null,
  server: IServerLimits | null,
  interruption: IInterruption | null = null
): IPolicy {
  const presetId =
    settings.preset === 'auto'
      ? ((detected && PRESET_FOR_PLATFORM[detected.id]) ?? null)
      : settings.preset === 'custom'
        ? null
        : settings.preset;
  const preset = presetId ? (findPreset(presetId) ?? null) : null;
  const presetDetail = preset ? `${preset.name} preset (${preset.source})` : '';

  let lifetimeMs: ISourced<number> | null = null;
  if (settings.lifetimeMinutes !== null && settings.lifetimeMinutes > 0) {
    lifetimeMs = {
      value: settings.lifetimeMinutes * 60_000,
      source: 'user',
      detail: 'your settings'
    };
  } else if (hubSeconds(server?.hub?.max_age_s)) {
    lifetimeMs = {
      value: hubSeconds(server?.hub?.max_age_s)! * 1000,
      source: 'server',
      detail: hubDetail(
        'JupyterHub stops servers this long after they start',
        server!.hub!.max_age_s!
      )
    };
  } else if (preset?.lifetimeS) {
    lifetimeMs = {
      value: preset.lifetimeS * 1000,
      source: 'preset',
      detail: presetDetail
    };
  }

  let started: ISourced<number> | null = null;
  // A number of the user's own ("my hub gives me 8 hours") counts from the
  // Jupyter server's start, and so does the hub's --max-age (the culler
  // counts from the hub's record of the spawn, a moment earlier); a
  // platform's lifetime from the runtime's.
  if (
    (lifetimeMs?.source === 'user' || lifetimeMs?.source === 'server') &&
    server?.server_started_at
  ) {
    started = {
      value: server.server_started_at * 1000,
      source: 'server',
      detail: 'Jupyter server start'
    };
  } else if (detected?.runtime_started_at) {
    started = {
      value: detected.runtime_started_at * 1000,
      source: 'detected',
      detail: `runtime start on ${detected.name}`
    };
  } else if (server?.server_started_at) {
    started = {
      value: server.server_started_at * 1000,
      source: 'server',
      detail: 'Jupyter server start'
    };
  }

  let hardEnd: ISourced<number> | null = null;
  // An exact end from the platform (a Slurm job's end time) beats the hub's
  // --max-age: the scheduler ends the job whatever the hub would do later.
  if (detected?.deadline_at && lifetimeMs?.source !== 'user') {
    hardEnd = {
      value: detected.deadline_at * 1000,
      source: 'detected',
      detail: `${detected.name} (${detected.source})`
    };
  } else if (lifetimeMs && started) {
    hardEnd = {
      value: started.value + lifetimeMs.value,
      source: lifetimeMs.source,
      detail: `${lifetimeMs.detail}, counted from the ${started.detail}`
    };
  }

  // A VM being reclaimed ends the session whatever any policy says, when
  // that comes sooner.
  if (
    interruption &&
    (!hardEnd || interruption.deadline_at * 1000 < hardEnd.value)
  ) {
    hardEnd = {
      value: interruption.deadline_at * 1000,
      source: 'interruption',
      detail: interruption.detail
    };
  }

  return {
    presetId: preset?.id ?? null,
    presetName: preset?.name ?? null,
    hardEnd,
    lifetimeMs,
    idleTimeoutMs: resolveIdle(settings, detected, server, preset, presetDetail)
  };
}

function resolveIdle(
  settings: ICountdownSettings,
  detected: IDetectedPlatform | null,
  server: IServerLimits | null,
  preset: { idleTimeoutS: number | null } | null,
  presetDetail: string
): ISourced<number> | null {
  if (settings.idleTimeoutMinutes !== null && settings.idleTimeoutMinutes > 0) {
    return {
      value: settings.idleTimeoutMinutes * 60_000,
      source: 'user',
      detail: 'your settings'
    };
  }
  if (detected?.idle_timeout_s) {
    return {
      value: detected.idle_timeout_s * 1000,
      source: 'detected',
      detail: `${detected.name} (${detected.source})`
    };
  }
  if (server) {
    // Both end the work: the server stops itself, or culls idle kernels
    // (and their state). The sooner one is the one that matters.
    const candidates: [number, string][] = [];
    if (server.shutdown_no_activity_timeout_s > 0) {
      candidates.push([
        server.shutdown_no_activity_timeout_s,
        'the server shuts down after this long without activity'
      ]);
    }
    // Behind a gateway this server's culling settings touch no kernel: the
    // gateway culls by its own, which the server part cannot read.
    if (server.cull_idle_timeout_s > 0 && !server.kernels_remote?.gateway) {
      candidates.push([
        server.cull_idle_timeout_s,
        'the server culls kernels idle this long'
      ]);
    }
    const hubIdle = server.hub?.idle_timeout_s;
    if (hubSeconds(hubIdle)) {
      candidates.push([
        hubSeconds(hubIdle)!,
        hubDetail("JupyterHub's idle culler", hubIdle!)
      ]);
    }
    if (candidates.length) {
      const [seconds, why] = candidates.sort((a, b) => a[0] - b[0])[0];
      return { value: seconds * 1000, source: 'server', detail: why };
    }
  }
  if (preset?.idleTimeoutS) {
    return {
      value: preset.idleTimeoutS * 1000,
      source: 'preset',
      detail: presetDetail
    };
  }
  return null;
}

/** A hub setting's seconds when it is a usable positive number. */
function hubSeconds(setting: IHubSetting | null | undefined): number | null {
  return setting && setting.value !== null && setting.value > 0
    ? setting.value
    : null;
}

/** "JupyterHub…, set by the admin (GPU_SESSION_HUB_IDLE_TIMEOUT)". */
function hubDetail(what: string, setting: IHubSetting): string {
  return `${what}, set by the admin (${setting.detail})`;
}
