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
 * The message type of a sample request sent to a subshell, and of its
 * reply. The loader registers a shell handler for it in ipykernel.
 *
 * #### Notes
 * A sample must not run a cell: IPython's `run_cell("")` fires the user's
 * `post_execute` hooks (matplotlib's inline backend flushes and closes the
 * user's figures there, mid-cell, under our request's parent, so they never
 * reach the notebook) and overwrites `last_execution_result`. And its
 * busy/idle must not be tracked: jupyter_server sets a kernel's
 * `execution_state` from every status whose parent type it tracks, so the
 * idle of a sample taken during a cell made the server (its culler, the
 * kernels list, JupyterHub) see a busy kernel as idle. Our own type is
 * listed in `untracked_message_types` by the server extension (handlers.py)
 * and by the page (statusFilter.ts).
 */
export const SAMPLE_REQUEST = 'jupyterlab_gpu_session_sample_request';
/** The type of the reply to `SAMPLE_REQUEST`. */
export const SAMPLE_REPLY = 'jupyterlab_gpu_session_sample_reply';

/**
 * Python run by the loader in the notebook's kernel: a shell handler for
 * `SAMPLE_REQUEST` (ipykernel's `shell_handlers`; a kernel without them
 * keeps the execute path). Its reply carries the sample as base64 JSON
 * or the error.
 */
export const SERVE_SAMPLE_REQUESTS = [
  'def _serve():',
  '    try:',
  '        from IPython import get_ipython',
  '        kernel = get_ipython().kernel',
  '        handlers = kernel.shell_handlers',
  '    except Exception:',
  '        return',
  '    def handle(stream, ident, parent):',
  '        try:',
  `            probe = sys.modules[${JSON.stringify(PROBE_MODULE)}]`,
  '            names = probe.sample_b64.__code__.co_varnames',
  '            args = parent["content"].get("args") or {}',
  '            content = {"status": "ok", "sample": probe.sample_b64(**{k: v for k, v in args.items() if k in names})}',
  '        except Exception as e:',
  '            content = {"status": "error", "ename": type(e).__name__, "evalue": str(e)}',
  `        kernel.session.send(stream, "${SAMPLE_REPLY}", content, parent, ident)`,
  `    handlers["${SAMPLE_REQUEST}"] = handle`,
  '    module._served = True',
  '_serve()'
].join('\n');

/**
 * The user expression, sent with the loader, whose repr says whether the
 * kernel now serves `SAMPLE_REQUEST` (`True`) or not (`False`).
 */
export const SERVED_EXPRESSION = `getattr(__import__("sys").modules.get(${JSON.stringify(PROBE_MODULE)}), "_served", False)`;

/**
 * The loader as one user expression, for a notebook's own kernel: it binds
 * no name in the user's namespace (the probe module lives only under
 * `sys.modules`) and returns None. Sent with code "", it stores no
 * history and moves no execution count; that one request still fires the
 * user's `post_execute` hooks once (see `SAMPLE_REQUEST`).
 */
export function loaderExpression(source: string): string {
  const bootstrap = [
    'import base64, sys, types',
    `module = types.ModuleType(${JSON.stringify(PROBE_MODULE)})`,
    'module.__file__ = "jupyterlab_gpu_session/probe.py"',
    `code = compile(base64.b64decode("${toBase64(source)}").decode("utf-8"), module.__file__, "exec")`,
    'exec(code, module.__dict__)',
    'sys.modules[module.__name__] = module',
    SERVE_SAMPLE_REQUESTS
  ].join('\n');
  return (
    '__import__("builtins").exec(__import__("base64").b64decode(' +
    `"${toBase64(bootstrap)}").decode("utf-8"), {"__name__": "_gpu_session_loader"})`
  );
}
