/**
 * The Python the front end sends to the monitor kernel, and how its answers
 * are read.
 *
 * #### Notes
 * Everything that travels into the kernel is base64, so no value (a path
 * with quotes, say) can change the code; answers come back as the repr of a
 * user expression.
 */
import { IProbeRequest } from './protocol';

/**
 * The name of the module the probe is loaded as inside the kernel. It is
 * also the marker that tells a monitor kernel from any other: only the
 * loader puts this module in `sys.modules`.
 */
export const PROBE_MODULE = '_jupyterlab_gpu_session_probe';

/** A user expression's result as ipykernel sends it. */
export interface IUserExpressionResult {
  status: 'ok' | 'error';
  data?: { [mime: string]: unknown };
  ename?: string;
  evalue?: string;
}

/** Read a user expression result without trusting its shape. */
export function readExpressionResult(
  value: unknown
): IUserExpressionResult | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return undefined;
  }
  const record = value as { [key: string]: unknown };
  const text = (key: string) =>
    typeof record[key] === 'string' ? (record[key] as string) : undefined;
  const data = record['data'];
  return {
    status: record['status'] === 'ok' ? 'ok' : 'error',
    data:
      typeof data === 'object' && data !== null && !Array.isArray(data)
        ? (data as { [mime: string]: unknown })
        : undefined,
    ename: text('ename'),
    evalue: text('evalue')
  };
}

/** Base64 of a UTF-8 string, so it can sit in any Python literal. */
export function toBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

/**
 * Code that loads the probe as a module without running its `__main__`
 * block: a kernel's `__name__` is `"__main__"`, a fresh module's is not.
 */
export function loaderCode(source: string): string {
  return [
    'def _gpu_session_load(source):',
    '    import base64, sys, types',
    `    module = types.ModuleType(${JSON.stringify(PROBE_MODULE)})`,
    '    module.__file__ = "jupyterlab_gpu_session/probe.py"',
    '    code = compile(base64.b64decode(source).decode("utf-8"), module.__file__, "exec")',
    '    exec(code, module.__dict__)',
    '    sys.modules[module.__name__] = module',
    `_gpu_session_load("${toBase64(source)}")`,
    'del _gpu_session_load'
  ].join('\n');
}

/**
 * The user expression that takes one sample. Arguments travel as base64
 * JSON, so no value (a path with quotes, say) can change the code.
 */
export function callExpression(request: IProbeRequest): string {
  // Null means "the probe's default": leave it out, so a probe that does
  // not know a newer argument still answers.
  const args = toBase64(
    JSON.stringify(
      Object.fromEntries(
        Object.entries(request).filter(([, value]) => value !== null)
      )
    )
  );
  // Arguments the loaded probe does not know are left out, so a newer
  // front end still gets a sample from an older probe.
  return (
    `(lambda m, a: m.sample_b64(**{k: v for k, v in a.items() if k in m.sample_b64.__code__.co_varnames}))(` +
    `__import__("sys").modules[${JSON.stringify(PROBE_MODULE)}], ` +
    `__import__("json").loads(__import__("base64").b64decode("${args}")))`
  );
}

/**
 * The user expression that says whether a kernel is a monitor kernel (the
 * probe is loaded in it); its repr is `True` or `False`.
 */
export const MARKER_EXPRESSION = `${JSON.stringify(PROBE_MODULE)} in __import__("sys").modules`;

/**
 * Python run by the loader in the notebook's kernel, from our subshell's
 * thread: from then on an empty silent execute sent from that thread is
 * answered without running a cell.
 *
 * #### Notes
 * IPython's `run_cell("")` still fires the `post_execute` hooks (matplotlib's
 * inline backend flushes and closes the user's figures there, mid-cell and
 * under our request's parent, so they never reach the notebook) and
 * overwrites `last_execution_result`. Only the threads recorded here are
 * touched; the user's own cells, and other clients' subshells, run as
 * before. The request that loads the probe runs before this exists, so it
 * fires those hooks once per kernel (see docs/lifecycle.md).
 */
export const QUIET_EMPTY_EXECUTE = [
  'def _quiet():',
  '    import threading',
  '    try:',
  '        from IPython import get_ipython',
  '        from IPython.core.interactiveshell import ExecutionResult',
  '    except ImportError:',
  '        return',
  '    shell = get_ipython()',
  '    if shell is None:',
  '        return',
  `    own = shell.__dict__.setdefault("${PROBE_MODULE}_threads", set())`,
  '    own.add(threading.get_ident())',
  `    if getattr(shell.run_cell, "${PROBE_MODULE}_quiet", False):`,
  '        return',
  '    original = shell.run_cell',
  '    def run_cell(raw_cell, *args, **kwargs):',
  '        if not raw_cell and threading.get_ident() in own:',
  '            return ExecutionResult(None)',
  '        return original(raw_cell, *args, **kwargs)',
  `    setattr(run_cell, "${PROBE_MODULE}_quiet", True)`,
  '    shell.run_cell = run_cell',
  '_quiet()'
].join('\n');

/**
 * The loader as one user expression, for a notebook's own kernel: it binds
 * no name in the user's namespace (the probe module lives only under
 * `sys.modules`), runs no cell (no history, no execution count, no
 * pre/post-execute hooks) and returns None.
 */
export function loaderExpression(source: string): string {
  const bootstrap = [
    'import base64, sys, types',
    `module = types.ModuleType(${JSON.stringify(PROBE_MODULE)})`,
    'module.__file__ = "jupyterlab_gpu_session/probe.py"',
    `code = compile(base64.b64decode("${toBase64(source)}").decode("utf-8"), module.__file__, "exec")`,
    'exec(code, module.__dict__)',
    'sys.modules[module.__name__] = module',
    QUIET_EMPTY_EXECUTE
  ].join('\n');
  return (
    '__import__("builtins").exec(__import__("base64").b64decode(' +
    `"${toBase64(bootstrap)}").decode("utf-8"), {"__name__": "_gpu_session_loader"})`
  );
}
