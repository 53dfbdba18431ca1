/**
 * Reads the server part's `GET {base_url}/gpu-session/limits`.
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';
import type {
  IHubLimits,
  IHubSetting,
  IKernelsRemote,
  IServerLimits
} from './policy';
import {
  field,
  readBooleanOrNull,
  readNumber,
  readNumberOrNull,
  readObject,
  readString,
  ValidationError
} from '../monitor/validate';

/** What asking the server for its limits gave. */
export type LimitsResult =
  { ok: true; limits: IServerLimits } | { ok: false; reason: string };

/** Ask the server for its start time, activity and culling settings. */
export async function fetchServerLimits(
  settings: ServerConnection.ISettings = ServerConnection.makeSettings()
): Promise<LimitsResult> {
  const url = URLExt.join(settings.baseUrl, 'gpu-session', 'limits');
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, {}, settings);
  } catch (reason) {
    return {
      ok: false,
      reason: `the server could not be reached (${String(reason)})`
    };
  }
  if (response.status === 404) {
    return {
      ok: false,
      reason: 'the server part of jupyterlab-gpu-session is not enabled'
    };
  }
  if (!response.ok) {
    return { ok: false, reason: `the server answered ${response.status}` };
  }
  try {
    return { ok: true, limits: readLimits(await response.json()) };
  } catch (reason) {
    return {
      ok: false,
      reason:
        reason instanceof ValidationError
          ? `the server's answer is malformed: ${reason.message}`
          : `the server's answer is not JSON`
    };
  }
}

/** Validate the handler's JSON. */
export function readLimits(json: unknown): IServerLimits {
  const root = readObject(json, 'limits');
  const culling = readObject(
    field(root, 'kernel_culling', 'limits'),
    'limits.kernel_culling'
  );
  const num = (record: Record<string, unknown>, key: string, path: string) =>
    readNumberOrNull(field(record, key, path), `${path}.${key}`);
  return {
    server_started_at: num(root, 'server_started_at', 'limits'),
    last_activity: num(root, 'last_activity', 'limits'),
    cull_idle_timeout_s: readNumber(
      field(culling, 'cull_idle_timeout_s', 'limits.kernel_culling'),
      'limits.kernel_culling.cull_idle_timeout_s'
    ),
    cull_busy:
      readBooleanOrNull(
        field(culling, 'cull_busy', 'limits.kernel_culling'),
        'limits.kernel_culling.cull_busy'
      ) ?? false,
    shutdown_no_activity_timeout_s: readNumber(
      field(root, 'shutdown_no_activity_timeout_s', 'limits'),
      'limits.shutdown_no_activity_timeout_s'
    ),
    // Absent from server parts older than the JupyterHub support.
    hub: readHub(root.jupyterhub, 'limits.jupyterhub'),
    // Present only where kernels are remote.
    kernels_remote: readRemote(root.kernels_remote, 'limits.kernels_remote')
  };
}

/** The `kernels_remote` part: null when absent (kernels run here). */
function readRemote(json: unknown, path: string): IKernelsRemote | null {
  if (json === undefined || json === null) {
    return null;
  }
  const remote = readObject(json, path);
  return {
    gateway:
      readBooleanOrNull(field(remote, 'gateway', path), `${path}.gateway`) ??
      false
  };
}

/** The `jupyterhub` part: null off a hub, else the admin's two numbers. */
function readHub(json: unknown, path: string): IHubLimits | null {
  if (json === undefined || json === null) {
    return null;
  }
  const hub = readObject(json, path);
  return {
    idle_timeout_s: readHubSetting(hub, 'idle_timeout_s', path),
    max_age_s: readHubSetting(hub, 'max_age_s', path)
  };
}

function readHubSetting(
  hub: Record<string, unknown>,
  key: string,
  parent: string
): IHubSetting | null {
  const path = `${parent}.${key}`;
  const json = field(hub, key, parent);
  if (json === null) {
    return null;
  }
  const setting = readObject(json, path);
  return {
    value: readNumberOrNull(field(setting, 'value', path), `${path}.value`),
    source: readString(field(setting, 'source', path), `${path}.source`),
    detail: readString(field(setting, 'detail', path), `${path}.detail`)
  };
}
