"""The front end's kernel expressions, rebuilt in Python for the tests.

src/monitor/kernelCode.ts builds these strings in TypeScript; the tests of
both languages check their builder against the same recorded strings in
tests/fixtures/frontend-expressions.json, so a test here sends exactly what
the front end sends.
"""

import base64
import json

PROBE_MODULE = "_jupyterlab_gpu_session_probe"


def _b64(text):
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def _js(text):
    # JSON.stringify of a plain ASCII name
    return json.dumps(text)


SAMPLE_REQUEST = "jupyterlab_gpu_session_sample_request"
SAMPLE_REPLY = "jupyterlab_gpu_session_sample_reply"

# kernelCode.ts SERVE_SAMPLE_REQUESTS
SERVE_SAMPLE_REQUESTS = "\n".join([
    "def _serve():",
    "    try:",
    "        from IPython import get_ipython",
    "        kernel = get_ipython().kernel",
    "        handlers = kernel.shell_handlers",
    "    except Exception:",
    "        return",
    "    def handle(stream, ident, parent):",
    "        try:",
    f"            probe = sys.modules[{_js(PROBE_MODULE)}]",
    "            names = probe.sample_b64.__code__.co_varnames",
    '            args = parent["content"].get("args") or {}',
    '            content = {"status": "ok", "sample": probe.sample_b64(**{k: v for k, v in args.items() if k in names})}',
    "        except Exception as e:",
    '            content = {"status": "error", "ename": type(e).__name__, "evalue": str(e)}',
    f'        kernel.session.send(stream, "{SAMPLE_REPLY}", content, parent, ident)',
    f'    handlers["{SAMPLE_REQUEST}"] = handle',
    "    module._served = True",
    "_serve()",
])

SERVED_EXPRESSION = f'getattr(__import__("sys").modules.get({_js(PROBE_MODULE)}), "_served", False)'


def loader_expression(source):
    """kernelCode.ts loaderExpression."""
    bootstrap = "\n".join([
        "import base64, sys, types",
        f"module = types.ModuleType({_js(PROBE_MODULE)})",
        'module.__file__ = "jupyterlab_gpu_session/probe.py"',
        f'code = compile(base64.b64decode("{_b64(source)}").decode("utf-8"), module.__file__, "exec")',
        "exec(code, module.__dict__)",
        "sys.modules[module.__name__] = module",
        SERVE_SAMPLE_REQUESTS,
    ])
    return (
        '__import__("builtins").exec(__import__("base64").b64decode('
        f'"{_b64(bootstrap)}").decode("utf-8"), {{"__name__": "_gpu_session_loader"}})'
    )


def call_expression(request):
    """kernelCode.ts callExpression: null values are left out."""
    args = _b64(json.dumps({k: v for k, v in request.items() if v is not None},
                           separators=(",", ":"), ensure_ascii=False))
    return (
        "(lambda m, a: m.sample_b64(**{k: v for k, v in a.items() if k in m.sample_b64.__code__.co_varnames}))("
        f'__import__("sys").modules[{_js(PROBE_MODULE)}], '
        f'__import__("json").loads(__import__("base64").b64decode("{args}")))'
    )


def decode_sample(text):
    """The repr of the base64 string the probe returns, as a sample."""
    return json.loads(base64.b64decode(eval(text)).decode("utf-8"))
