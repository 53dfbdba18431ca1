"""The extension is installed and enabled in the environment that runs the tests.

`make test` (and `make lab`) install the package in development mode first;
this checks what a person would check by hand after that.
"""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _jupyter(*args):
    return subprocess.run(
        [sys.executable, "-m", "jupyter", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )


def test_labextension_list_shows_the_extension_enabled_and_ok():
    result = _jupyter("labextension", "list")
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    version = json.loads((ROOT / "package.json").read_text())["version"]
    line = next(
        (row for row in listing.splitlines() if "jupyterlab-gpu-session" in row), None
    )
    assert line is not None, listing
    assert f"jupyterlab-gpu-session v{version}" in line
    assert "enabled" in line and "OK" in line


def test_labextension_ships_the_settings_schemas():
    schemas = ROOT / "jupyterlab_gpu_session" / "labextension" / "schemas" / "jupyterlab-gpu-session"
    names = sorted(path.name for path in schemas.glob("*.json"))
    assert "monitor.json" in names and "sidebar.json" in names
    monitor = json.loads((schemas / "monitor.json").read_text())
    assert monitor["properties"]["pollIntervalSeconds"]["minimum"] == 0.5


def test_package_imports_and_points_at_its_labextension():
    import jupyterlab_gpu_session

    paths = jupyterlab_gpu_session._jupyter_labextension_paths()
    assert paths == [{"src": "labextension", "dest": "jupyterlab-gpu-session"}]
