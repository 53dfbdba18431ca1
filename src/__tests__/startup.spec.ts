/**
 * What JupyterLab's start loads of the extension: the modules reachable
 * from src/index.ts through static, non-type imports. The transports, the
 * parser, the probe's source, the checkpoint requests, the warning rules,
 * the template flow and the sidebar's sections must be reached only through
 * `import()` (chunks fetched on first use; bench/ measures the bytes).
 */
import * as path from 'path';
import { relativeTo, SRC, startupModules } from './importGraph';

const atStart = relativeTo(SRC, startupModules(path.join(SRC, 'index.ts')));

describe("the extension's code at JupyterLab start", () => {
  it.each([
    'monitor/transport.ts',
    'monitor/subshell.ts',
    'monitor/autoTransport.ts',
    'monitor/transports.ts',
    'monitor/parser.ts',
    'monitor/probeCall.ts',
    'monitor/probeSource.ts',
    'monitor/probeAsset.ts',
    'monitor/kernelCode.ts',
    'checkpoint/requests.ts',
    'checkpoint/session.ts',
    'checkpoint/section.ts',
    'warnings/rules.ts',
    'warnings/section.ts',
    'warnings/engine.ts',
    'warnings/list.ts',
    'warnings/notifier.ts',
    'warnings/peakHistory.ts',
    'countdown/section.ts',
    'countdown/sessionClock.ts',
    'countdown/policy.ts',
    'countdown/countdown.ts',
    'countdown/findings.ts',
    'countdown/presets.ts',
    'platforms.ts',
    'templates/flow.ts',
    'sidebar/monitorSections.ts',
    'sidebar/section.ts'
  ])('leaves out %s', file => {
    expect(atStart).not.toContain(file);
  });

  it('still holds the plugins, the monitor model and the status item', () => {
    for (const file of [
      'index.ts',
      'monitor/plugin.ts',
      'monitor/monitor.ts',
      'monitor/lazyTransport.ts',
      'sidebar/statusItem.ts'
    ]) {
      expect(atStart).toContain(file);
    }
  });
});
