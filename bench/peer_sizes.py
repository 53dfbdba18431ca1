"""Gzipped size of the peers' prebuilt labextensions, from their published wheels.

    python3 bench/peer_sizes.py [--out FILE.json] [SPEC ...]

SPECs default to ``jupyter-resource-usage jupyterlab-nvdashboard`` (the
newest release of each; BENCH_PEERS overrides, e.g.
``BENCH_PEERS="jupyter-resource-usage==1.3.0"``). Each wheel is fetched with
``pip download --no-deps --only-binary=:all:`` into bench/.tmp/peers, opened
as a zip file, and its labextension's ``static/*.js``
(``*.data/data/share/jupyter/labextensions/NAME/static/``) is measured the
way bench/js_size.py measures ours: gzip -9 of each file, summed; no source
maps, no licence JSON. Nothing is installed, into the project or anywhere.
jupyter-resource-usage's wheel also carries a classic-notebook extension
(``jupyter_resource_usage/static/main.js``); it is not a labextension and is
not counted. When pip cannot reach an index, the wheels already in
bench/.tmp/peers are measured (and the JSON says so).
"""
import argparse
import os
import re
import subprocess
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from js_size import gz_size  # noqa: E402
from emit import emit  # noqa: E402  (bench/emit.py)

DEFAULT = ["jupyter-resource-usage", "jupyterlab-nvdashboard"]
LABEXT = re.compile(r"^[^/]+\.data/data/share/jupyter/labextensions/(.+)/static/([^/]+\.js)$")


def measure_wheel(path):
    files = []
    name = None
    with zipfile.ZipFile(path) as z:
        for entry in sorted(z.namelist()):
            m = LABEXT.match(entry)
            if not m:
                continue
            name = m.group(1)
            data = z.read(entry)
            files.append({"file": m.group(2), "bytes": len(data), "gzip_bytes": gz_size(data)})
    if not files:
        return None
    largest = max(files, key=lambda f: f["gzip_bytes"])
    return {
        "wheel": os.path.basename(path),
        "labextension": name,
        "files": files,
        "total_bytes": sum(f["bytes"] for f in files),
        "total_gzip_bytes": sum(f["gzip_bytes"] for f in files),
        "largest": largest,
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("specs", nargs="*")
    p.add_argument("--out")
    p.add_argument("--dir", default=os.path.join(HERE, ".tmp", "peers"))
    a = p.parse_args(argv)
    specs = a.specs or os.environ.get("BENCH_PEERS", "").split() or DEFAULT
    os.makedirs(a.dir, exist_ok=True)
    r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps",
                        "--only-binary=:all:", "--disable-pip-version-check", "-q",
                        "-d", a.dir] + specs, capture_output=True, text=True, timeout=300)
    res = {"specs": specs, "download": "ok" if r.returncode == 0 else
           "failed, measured the wheels already in %s: %s" % (a.dir, r.stderr.strip()[-300:]),
           "peers": {}}
    wanted = {s.split("=")[0].split("<")[0].split(">")[0].strip().lower().replace("-", "_")
              for s in specs}
    for wheel in sorted(os.listdir(a.dir)):
        if not wheel.endswith(".whl"):
            continue
        dist, version = wheel.split("-")[:2]
        if dist.lower() not in wanted:
            continue
        m = measure_wheel(os.path.join(a.dir, wheel))
        if m is None:
            continue
        m["version"] = version
        # the newest version of each distribution wins
        old = res["peers"].get(dist)
        key = lambda v: [int(x) if x.isdigit() else x for x in re.split(r"[.+-]", v)]  # noqa: E731
        if old is None or key(version) > key(old["version"]):
            res["peers"][dist] = m
    for dist, m in res["peers"].items():
        print("%s %s: %d files, %.1f kB gzipped (largest %s %.1f kB)" % (
            dist, m["version"], len(m["files"]), m["total_gzip_bytes"] / 1000.0,
            m["largest"]["file"], m["largest"]["gzip_bytes"] / 1000.0), file=sys.stderr)
    if not res["peers"]:
        print("no peer wheel could be measured: %s" % res["download"], file=sys.stderr)
    emit(res, a.out)
    return 0 if res["peers"] else 1


if __name__ == "__main__":
    sys.exit(main())
