/**
 * Choosing the kernelspec the monitor kernel is started from.
 */
import { KernelSpec } from '@jupyterlab/services';

/** Why no monitor kernel can be started. */
export const NO_PYTHON_KERNELSPEC =
  'The server has no Python kernel, and the GPU monitor runs its probe in one. Install ipykernel in the environment that runs the server.';

/**
 * Pick the kernelspec for the monitor kernel.
 *
 * The active notebook's own spec is preferred (same environment, same
 * drivers on the PATH); when that is not a Python kernel, the server's
 * default is used if it is Python, else the first Python spec by name.
 *
 * @returns the spec name, or null when the server has no Python kernelspec.
 */
export function chooseMonitorKernelspec(
  specs: KernelSpec.ISpecModels | null,
  preferred: string | null
): string | null {
  if (!specs) {
    return null;
  }
  const all = specs.kernelspecs;
  const isPython = (name: string | null | undefined): name is string =>
    !!name && !!all[name] && isPythonSpec(all[name]!);
  if (isPython(preferred)) {
    return preferred;
  }
  if (isPython(specs.default)) {
    return specs.default;
  }
  return Object.keys(all).sort().find(isPython) ?? null;
}

function isPythonSpec(spec: KernelSpec.ISpecModel): boolean {
  return (spec.language ?? '').toLowerCase() === 'python';
}
