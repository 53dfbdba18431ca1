import { DEFAULT_MONITOR_SETTINGS, readMonitorSettings } from '../settings';

describe('readMonitorSettings', () => {
  it('gives the defaults for an empty object', () => {
    expect(readMonitorSettings({})).toEqual({
      settings: DEFAULT_MONITOR_SETTINGS,
      problems: []
    });
  });

  it('reads every setting', () => {
    const { settings, problems } = readMonitorSettings({
      pollIntervalSeconds: 5,
      requestTimeoutSeconds: 20,
      gpuSource: 'nvidia-smi',
      nvidiaSmiPath: '/usr/lib/wsl/lib/nvidia-smi',
      diskPaths: ['/data', ' '],
      idlePauseMinutes: 0.5,
      hiddenBusyIntervalSeconds: 60,
      quietAfterSeconds: 0,
      quietIntervalSeconds: 30,
      transport: 'monitor-kernel',
      monitorKernelWithoutNotebook: false
    });
    expect(problems).toEqual([]);
    expect(settings).toEqual({
      intervalMs: 5000,
      timeoutMs: 20000,
      gpuSource: 'nvidia-smi',
      nvidiaSmiPath: '/usr/lib/wsl/lib/nvidia-smi',
      diskPaths: ['/data'],
      idlePauseMs: 30000,
      hiddenBusyIntervalMs: 60000,
      quietAfterMs: 0,
      quietIntervalMs: 30000,
      transport: 'monitor-kernel',
      monitorKernelWithoutNotebook: false
    });
  });

  // Ranges (a minimum interval, a non-empty nvidia-smi path) are the
  // schema's and the settings registry enforces them; the reader guards
  // types, names the setting and falls back for that one only.
  it.each([
    ['pollIntervalSeconds', 'fast'],
    ['requestTimeoutSeconds', NaN],
    ['gpuSource', 'rocm-smi'],
    ['idlePauseMinutes', 'never'],
    ['hiddenBusyIntervalSeconds', null],
    ['quietAfterSeconds', 'soon'],
    ['quietIntervalSeconds', false],
    ['nvidiaSmiPath', 7],
    ['diskPaths', '/data'],
    ['transport', 'ssh'],
    ['monitorKernelWithoutNotebook', 'no']
  ])('falls back to the schema default for a bad %s', (key, value) => {
    const { settings, problems } = readMonitorSettings({ [key]: value });
    expect(problems).toEqual([expect.objectContaining({ key, value })]);
    expect(settings).toEqual(DEFAULT_MONITOR_SETTINGS);
  });
});
