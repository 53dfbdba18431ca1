"""Where the time of a sample's round trip goes, without the browser.

    python3 bench/roundtrip_profile.py [--n 60] [--out FILE.json]

The same silent execute_request the front end sends (``code: ""``,
``silent``, ``user_expressions``), timed from Python along three paths to a
fresh ipykernel:

  zmq_direct      straight to the kernel's ZMQ sockets (jupyter_client's
                  KernelManager, a zmq.Poller on shell and iopub): the kernel
                  alone, no Jupyter server
  server_ws       through a Jupyter server's kernel websocket
                  (/api/kernels/ID/channels) with the
                  v1.kernel.websocket.jupyter.org protocol JupyterLab uses,
                  from a tornado websocket client; also with the older JSON
                  protocol (server_ws_json)
  server_ws_nodelay
                  the same with TCP_NODELAY set on the server's side of the
                  websocket (jupyterlab_gpu_session/nodelay.py)

Each path is timed with two expressions: ``1`` (the floor) and the probe's
``sample_b64(...)`` on this CPU-only host (the probe loaded first, as the
front end loads it). Per request: the execute_reply's arrival, the iopub
``status: idle`` arrival, ``done`` (both, the condition of JupyterLab's
``future.done``), and ``to_kernel``: from sending to the moment the kernel
evaluated the expression (``time.time()`` in the kernel, the same clock), so
``done - to_kernel`` is the way back. 5 warm-up requests, then N, 5 ms apart
(as bench/browser does). Servers run on free ports chosen by the OS, with the
benchmarks' server configuration (bench/browser/jupyter_server_bench_config.py).
"""
import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from emit import emit  # bench/emit.py

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PROBE = os.path.join(REPO, "jupyterlab_gpu_session", "probe.py")
CONFIG = os.path.join(HERE, "browser", "jupyter_server_bench_config.py")
MODULE = "_jupyterlab_gpu_session_probe"
WARMUP = 5

LOAD_PROBE = (
    "def _load(path):\n"
    "    import sys, types\n"
    "    m = types.ModuleType(%r)\n"
    "    m.__file__ = path\n"
    "    exec(compile(open(path).read(), path, 'exec'), m.__dict__)\n"
    "    sys.modules[m.__name__] = m\n"
    "_load(%r)\n"
    "del _load\n" % (MODULE, PROBE)
)
EXPRESSIONS = {
    "trivial": "1",
    "probe": "__import__('sys').modules[%r].sample_b64([], None, 'auto', 'nvidia-smi')"
             % MODULE,
}


def pct(values, q):
    s = sorted(values)
    return s[max(0, min(len(s) - 1, -(-q * len(s) // 100) - 1))]


def stats(values):
    return {
        "n": len(values),
        "median": round(statistics.median(values), 3),
        "p95": round(pct(values, 95), 3),
        "min": round(min(values), 3),
        "max": round(max(values), 3),
    }


def summarize(rows):
    out = {}
    for key in ("reply", "idle", "done", "to_kernel", "back"):
        vals = [r[key] for r in rows if r.get(key) is not None]
        if vals:
            out[key + "_ms"] = stats(vals)
    return out


def content(expr):
    return {"code": "", "silent": True, "store_history": False,
            "allow_stdin": False, "stop_on_error": False,
            "user_expressions": {"x": expr, "t": "__import__('time').time()"}}


def row(t0, w0, tr, ti, reply):
    tk = None
    try:
        tk = float(reply["content"]["user_expressions"]["t"]["data"]["text/plain"])
    except (KeyError, TypeError, ValueError):
        pass
    r = {"reply": (tr - t0) * 1e3, "idle": (ti - t0) * 1e3,
         "done": (max(tr, ti) - t0) * 1e3}
    if tk is not None:
        r["to_kernel"] = (tk - w0) * 1e3
        r["back"] = r["done"] - r["to_kernel"]
    ok = reply["content"].get("status") == "ok" and \
        reply["content"]["user_expressions"]["x"].get("status") == "ok"
    return r, ok


# --------------------------------------------------------------------------
# the kernel alone

def zmq_direct(n, env):
    import zmq
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env, cwd=tempfile.gettempdir())
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=60)
        poller = zmq.Poller()
        shell, iopub = kc.shell_channel, kc.iopub_channel
        poller.register(shell.socket, zmq.POLLIN)
        poller.register(iopub.socket, zmq.POLLIN)

        def request(c):
            msg = kc.session.msg("execute_request", c)
            mid = msg["header"]["msg_id"]
            t0, w0 = time.perf_counter(), time.time()
            kc.shell_channel.send(msg)
            tr = ti = reply = None
            deadline = t0 + 30
            while (tr is None or ti is None) and time.perf_counter() < deadline:
                for sock, _ in poller.poll(1000):
                    ch = shell if sock is shell.socket else iopub
                    m = ch.get_msg(timeout=0)
                    if m["parent_header"].get("msg_id") != mid:
                        continue
                    now = time.perf_counter()
                    if m["msg_type"] == "execute_reply":
                        tr, reply = now, m
                    elif m["msg_type"] == "status" and \
                            m["content"]["execution_state"] == "idle":
                        ti = now
            if tr is None or ti is None:
                raise RuntimeError("no reply within 30 s")
            return t0, w0, tr, ti, reply

        request({"code": LOAD_PROBE, "silent": True, "store_history": False})
        out = {}
        for name, expr in EXPRESSIONS.items():
            rows, bad = [], 0
            for i in range(n + WARMUP):
                r, ok = row(*request(content(expr)))
                bad += not ok
                if i >= WARMUP:
                    rows.append(r)
                time.sleep(0.005)
            out[name] = dict(summarize(rows), failed=bad)
        return out
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


# --------------------------------------------------------------------------
# through a Jupyter server

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(base, method, path, body=None):
    req = urllib.request.Request(
        base + path, method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as f:
        data = f.read()
    return json.loads(data) if data else None


def start_server(tmp, env, nodelay):
    port = free_port()
    root = os.path.join(tmp, "root-%d" % port)
    os.makedirs(root, exist_ok=True)
    e = dict(env, GALATA_PORT=str(port), JUPYTERLAB_GALATA_ROOT_DIR=root,
             BENCH_SERVER_NODELAY="1" if nodelay else "0", TMPDIR=tmp)
    log = open(os.path.join(tmp, "server-%d.log" % port), "w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--config", CONFIG,
         "--ServerApp.port_retries=0", "--no-browser"],
        cwd=root, env=e, stdout=log, stderr=subprocess.STDOUT)
    base = "http://127.0.0.1:%d" % port
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("the Jupyter server exited; see %s" % log.name)
        try:
            http(base, "GET", "/api/status")
            return proc, base
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError("the Jupyter server did not start; see %s" % log.name)


async def through_server(base, n, protocol):
    from tornado.websocket import websocket_connect
    from jupyter_server.services.kernels.connection.base import (
        deserialize_msg_from_ws_v1, serialize_msg_to_ws_v1)

    kernel = http(base, "POST", "/api/kernels", {"name": "python3"})
    v1 = protocol == "v1"
    try:
        url = base.replace("http", "ws") + "/api/kernels/%s/channels?session_id=%s" % (
            kernel["id"], uuid.uuid4())
        ws = await websocket_connect(
            url, subprotocols=["v1.kernel.websocket.jupyter.org"] if v1 else None)
        if v1 and ws.selected_subprotocol != "v1.kernel.websocket.jupyter.org":
            raise RuntimeError("the server did not accept the v1 protocol")
        session = str(uuid.uuid4())

        def make(msg_type, c):
            return {"header": {"msg_id": str(uuid.uuid4()), "msg_type": msg_type,
                               "session": session, "username": "", "date": "",
                               "version": "5.3"},
                    "parent_header": {}, "metadata": {}, "content": c}

        async def send(msg):
            if v1:
                parts = [json.dumps(msg[k]).encode()
                         for k in ("header", "parent_header", "metadata", "content")]
                await ws.write_message(serialize_msg_to_ws_v1(parts, "shell"), binary=True)
            else:
                await ws.write_message(json.dumps(dict(msg, channel="shell")))

        async def recv():
            raw = await ws.read_message()
            if raw is None:
                raise RuntimeError("the websocket closed")
            if isinstance(raw, bytes):
                _, parts = deserialize_msg_from_ws_v1(raw)
                return {"header": json.loads(parts[0]),
                        "parent_header": json.loads(parts[1]),
                        "content": json.loads(parts[3])}
            return json.loads(raw)

        async def request(msg):
            mid = msg["header"]["msg_id"]
            t0, w0 = time.perf_counter(), time.time()
            await send(msg)
            tr = ti = reply = None
            while tr is None or ti is None:
                m = await asyncio.wait_for(recv(), 30)
                if m["parent_header"].get("msg_id") != mid:
                    continue
                now = time.perf_counter()
                if m["header"]["msg_type"] == "execute_reply":
                    tr, reply = now, m
                elif m["header"]["msg_type"] == "status" and \
                        m["content"]["execution_state"] == "idle":
                    ti = now
            return t0, w0, tr, ti, reply

        # wait until the kernel answers, then load the probe
        msg = make("kernel_info_request", {})
        await send(msg)
        while True:
            m = await asyncio.wait_for(recv(), 60)
            if m["parent_header"].get("msg_id") == msg["header"]["msg_id"] and \
                    m["header"]["msg_type"] == "kernel_info_reply":
                break
        await request(make("execute_request", {"code": LOAD_PROBE, "silent": True,
                                               "store_history": False}))
        out = {}
        for name, expr in EXPRESSIONS.items():
            rows, bad = [], 0
            for i in range(n + WARMUP):
                r, ok = row(*await request(make("execute_request", content(expr))))
                bad += not ok
                if i >= WARMUP:
                    rows.append(r)
                await asyncio.sleep(0.005)
            out[name] = dict(summarize(rows), failed=bad)
        ws.close()
        return out
    finally:
        http(base, "DELETE", "/api/kernels/%s" % kernel["id"])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--n", type=int, default=60)
    p.add_argument("--out")
    a = p.parse_args(argv)
    env = dict(os.environ)
    env.pop("GALATA_BASE_URL", None)
    # a CPU-only host, as in the other benchmarks
    env["JUPYTERLAB_GPU_SESSION_NVML_LIB"] = "/nonexistent/libnvidia-ml.so.1"
    env["PATH"] = os.pathsep.join(
        d for d in env.get("PATH", "").split(os.pathsep)
        if d and not os.path.exists(os.path.join(d, "nvidia-smi")))
    tmp = tempfile.mkdtemp(prefix="roundtrip-", dir=os.path.join(HERE, ".tmp")
                           if os.path.isdir(os.path.join(HERE, ".tmp")) else None)
    res = {"n": a.n, "warmup": WARMUP, "paths": {}}
    res["paths"]["zmq_direct"] = zmq_direct(a.n, env)
    for label, nodelay, protocol in (("server_ws", False, "v1"),
                                     ("server_ws_json", False, "json"),
                                     ("server_ws_nodelay", True, "v1")):
        proc, base = start_server(tmp, env, nodelay)
        try:
            res["paths"][label] = asyncio.run(through_server(base, a.n, protocol))
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    for path, cases in res["paths"].items():
        for name, r in cases.items():
            print("%-18s %-8s done median %6.2f ms p95 %6.2f | reply %6.2f | idle %6.2f | "
                  "to kernel %5.2f | back %6.2f%s" % (
                      path, name, r["done_ms"]["median"], r["done_ms"]["p95"],
                      r["reply_ms"]["median"], r["idle_ms"]["median"],
                      r.get("to_kernel_ms", {}).get("median", float("nan")),
                      r.get("back_ms", {}).get("median", float("nan")),
                      "  (%d failed)" % r["failed"] if r["failed"] else ""),
                  file=sys.stderr)
    emit(res, a.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
