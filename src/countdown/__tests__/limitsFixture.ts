/**
 * The server part's answer (`GET /gpu-session/limits`, as
 * jupyterlab_gpu_session/handlers.py writes it) for the countdown's tests.
 */
import { readLimits } from '../limitsClient';

/** The tests' clock: the server started, and answers, at this time. */
export const T0 = Date.UTC(2026, 10, 27, 12, 0, 0);

/**
 * The answer's JSON at `T0`, with `cullIdleS` as the kernel culling's idle
 * timeout (0: off) and `extra` fields over the rest.
 */
export function limitsJson(
  cullIdleS = 0,
  extra: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    schema_version: 1,
    now: T0 / 1000,
    server_started_at: T0 / 1000,
    last_activity: null,
    kernel_culling: {
      cull_idle_timeout_s: cullIdleS,
      cull_interval_s: 300,
      cull_busy: false,
      cull_connected: false
    },
    shutdown_no_activity_timeout_s: 0,
    ...extra
  };
}

/** The answer as the limits client hands it to the session clock. */
export function serverLimits(
  cullIdleS = 0,
  extra: Record<string, unknown> = {}
): { ok: true; limits: ReturnType<typeof readLimits> } {
  return { ok: true, limits: readLimits(limitsJson(cullIdleS, extra)) };
}
