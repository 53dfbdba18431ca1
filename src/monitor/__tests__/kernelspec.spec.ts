import { KernelSpec } from '@jupyterlab/services';
import { chooseMonitorKernelspec } from '../kernelspec';

function spec(name: string, language: string): KernelSpec.ISpecModel {
  return { name, language, display_name: name, argv: [], resources: {} };
}

const SPECS: KernelSpec.ISpecModels = {
  default: 'python3',
  kernelspecs: {
    python3: spec('python3', 'python'),
    torch: spec('torch', 'Python'),
    ir: spec('ir', 'R')
  }
};

describe('chooseMonitorKernelspec', () => {
  it('prefers the active notebook’s Python kernelspec', () => {
    expect(chooseMonitorKernelspec(SPECS, 'torch')).toBe('torch');
  });

  it('falls back to the default when the notebook is not Python', () => {
    expect(chooseMonitorKernelspec(SPECS, 'ir')).toBe('python3');
  });

  it('takes the first Python spec when the default is not Python', () => {
    expect(chooseMonitorKernelspec({ ...SPECS, default: 'ir' }, null)).toBe(
      'python3'
    );
  });

  it('gives null without any Python kernelspec or before specs load', () => {
    expect(
      chooseMonitorKernelspec(
        { default: 'ir', kernelspecs: { ir: spec('ir', 'R') } },
        'ir'
      )
    ).toBeNull();
    expect(chooseMonitorKernelspec(null, 'python3')).toBeNull();
  });
});
