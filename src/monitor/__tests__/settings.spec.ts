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
      transport: 'monitor-kernel',
      monitorKernelWithoutNotebook: false
    });
  });

  it('keeps the monitor kernel allowed without a notebook for a non-boolean', () => {
    const { settings, problems } = readMonitorSettings({
      monitorKernelWithoutNotebook: 'no'
    });
    expect(settings.monitorKernelWithoutNotebook).toBe(true);
    expect(problems).toEqual([
      'monitorKernelWithoutNotebook must be true or false'
    ]);
  });

  it('falls back to auto for an unknown transport and says so', () => {
    const { settings, problems } = readMonitorSettings({ transport: 'ssh' });
    expect(settings.transport).toBe('auto');
    expect(problems).toEqual([
      'transport must be auto, subshell or monitor-kernel'
    ]);
  });

  it('clamps an interval below the minimum and says so', () => {
    const { settings, problems } = readMonitorSettings({
      pollIntervalSeconds: 0.01
    });
    expect(settings.intervalMs).toBe(500);
    expect(problems[0]).toContain('at least 0.5 s');
  });

  it.each([
    ['pollIntervalSeconds', 'fast'],
    ['requestTimeoutSeconds', NaN],
    ['gpuSource', 'rocm-smi'],
    ['idlePauseMinutes', -1],
    ['idlePauseMinutes', 'never'],
    ['hiddenBusyIntervalSeconds', null],
    ['nvidiaSmiPath', ''],
    ['diskPaths', '/data']
  ])('falls back to the default for a bad %s', (key, value) => {
    const { settings, problems } = readMonitorSettings({ [key]: value });
    expect(problems.length).toBe(1);
    expect(problems[0]).toContain(key);
    expect(settings).toEqual(DEFAULT_MONITOR_SETTINGS);
  });
});
