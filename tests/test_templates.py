"""The template cells, rendered by the extension's own TypeScript renderer
(tests/templates/render.js) and run in a real ipykernel against temporary
folders: hostile values do exactly what they say, checkpoints survive an
interrupted save, the environment snapshot and the GPU check work without a
GPU."""

import json
import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from conftest import Kernel

REPO = Path(__file__).resolve().parents[1]
RENDER = REPO / "tests" / "templates" / "render.js"
HOSTILE = json.loads(
    (REPO / "src" / "templates" / "__tests__" / "hostile-values.json").read_text(encoding="utf-8")
)
SNAPSHOT_MIME = "application/vnd.jupyterlab-gpu-session.snapshot+json"

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")


def render(template_id, values=None, context=None, templates=None):
    """The rendered cells (dicts) of a template, from the TypeScript renderer."""
    request = {"id": template_id, "values": values or {}, "context": context or {}}
    if templates is not None:
        request["templates"] = templates
    result = subprocess.run(
        ["node", str(RENDER)], input=json.dumps(request), capture_output=True,
        text=True, encoding="utf-8", cwd=REPO, timeout=60,
    )
    reply = json.loads(result.stdout)
    if result.returncode != 0:
        raise ValueError(reply)
    return reply["cells"]


def code_cells(template_id, values=None, **kwargs):
    return [c["source"] for c in render(template_id, values, **kwargs) if c["cell_type"] == "code"]


@pytest.fixture(scope="module")
def kernel_home(tmp_path_factory):
    return tmp_path_factory.mktemp("kernel-cwd")


@pytest.fixture(scope="module")
def kernel(kernel_home):
    k = Kernel(kernel_home)
    yield k
    k.close()


def no_pwned(*roots):
    for root in roots:
        assert not list(Path(root).rglob("pwned")), f"a value ran a command in {root}"


def variable(kernel, expression):
    out, _ = kernel.ok(f"print(repr({expression}))")
    return eval(out.strip())  # noqa: S307 - our own kernel's repr


# ------------------------------------------------------------------ renderer


def test_the_renderer_refuses_bad_values():
    with pytest.raises(ValueError) as info:
        render("checkpoint-train", {"every_minutes": "1; import os"})
    assert "every_minutes" in info.value.args[0]["problems"]


def test_a_user_template_renders_like_a_built_in_one():
    mine = {"id": "mine", "label": "Mine",
            "variables": [{"name": "x", "label": "X", "kind": "text", "default": "a'b"}],
            "cells": [{"type": "code", "source": "x = {{py:x}}"}]}
    assert code_cells("mine", templates=[mine]) == ["x = 'a\\'b'"]


# ------------------------------------------------------------------ hostile values in real cells

TRAIN = textwrap.dedent("""\
    import json, os, sys
    here = os.path.dirname(os.path.abspath(__file__))
    runs = os.path.join(here, 'runs.json')
    seen = json.load(open(runs)) if os.path.exists(runs) else []
    seen.append(sys.argv[1:])
    json.dump(seen, open(runs, 'w'))
    os.makedirs(os.path.join(here, 'ckpt'), exist_ok=True)
    open(os.path.join(here, 'ckpt', f'ckpt-{len(seen)}.pt'), 'w').write('x')
    print('training run', len(seen))
    sys.exit(int(os.environ.get('TRAIN_EXIT', '0')))
    """)


@pytest.mark.parametrize("label,value", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_checkpoint_train_shell_cell_with_hostile_values(kernel, kernel_home, tmp_path, label, value):
    base = tmp_path / value / "job"
    base.mkdir(parents=True)
    script = base / "train.py"
    script.write_text(TRAIN)
    log = tmp_path / "persist" / value / "train.log"
    values = {"script": str(script), "python": sys.executable, "checkpoint_dir": str(base / "ckpt"),
              "resume_flag": value, "log_file": str(log)}
    shell = code_cells("checkpoint-train", values)[0]
    assert shell.startswith("%%bash\n")

    out, error = kernel.run(shell)[::2]
    assert error is None, out
    assert "No checkpoint in" in out and "training run 1" in out
    # Second run: resumes from the newest of several checkpoints.
    older = base / "ckpt" / "old.pt"
    older.write_text("old")
    os.utime(older, (1, 1))
    out, error = kernel.run(shell)[::2]
    assert error is None, out
    runs = json.loads((base / "runs.json").read_text())
    assert runs == [[], [value, str(base / "ckpt" / "ckpt-1.pt")]]
    text = log.read_text(encoding="utf-8")
    assert text.count("training run") == 2 and text.count("=== ") == 2
    no_pwned(tmp_path, kernel_home)


def test_checkpoint_train_keeps_the_scripts_exit_status(kernel, tmp_path):
    script = tmp_path / "train.py"
    script.write_text(TRAIN)
    shell = code_cells("checkpoint-train", {
        "script": str(script), "python": sys.executable,
        "checkpoint_dir": str(tmp_path / "ckpt"), "log_file": str(tmp_path / "log" / "train.log")})[0]
    kernel.ok("import os; os.environ['TRAIN_EXIT'] = '3'")
    try:
        out, _, error = kernel.run(shell)
    finally:
        kernel.ok("del os.environ['TRAIN_EXIT']")
    assert error is not None and error["ename"] == "CalledProcessError"
    assert "Exit status 3" in out
    # tee ran and the log has the output, yet the status is the script's.
    assert "training run 1" in (tmp_path / "log" / "train.log").read_text()


@pytest.mark.parametrize("label,value", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_python_cells_with_hostile_values(kernel, kernel_home, tmp_path, label, value):
    # drive-mount, generic variant: the folder is created exactly where the value says.
    root = tmp_path / "storage"
    values = {"variant": "generic", "storage_dir": str(root), "folder": value}
    kernel.ok(code_cells("drive-mount", values)[0])
    assert variable(kernel, "PERSISTENT_DIR") == os.path.join(str(root), value)
    assert (root / value).is_dir()
    # env-snapshot: the snapshot lands in the folder named by the value.
    target = tmp_path / value
    _, displays = kernel.ok(code_cells("env-snapshot", {"snapshot_dir": str(target)},
                                       context={"notebook_path": value})[0])
    report = [d[SNAPSHOT_MIME] for d in displays if SNAPSHOT_MIME in d][0]
    folder = Path(report["path"])
    assert folder.parent == target
    info = json.loads((folder / "environment.json").read_text(encoding="utf-8"))
    assert info["notebook"] == value
    no_pwned(tmp_path, kernel_home)


def test_drive_mount_on_colab_mounts_and_checks(kernel, tmp_path):
    # A stand-in for google.colab.drive that records how it was called.
    fake = tmp_path / "fake"
    (fake / "google" / "colab").mkdir(parents=True)
    (fake / "google" / "__init__.py").write_text("")
    (fake / "google" / "colab" / "__init__.py").write_text("")
    (fake / "google" / "colab" / "drive.py").write_text(textwrap.dedent("""\
        import json, os
        calls = []
        def mount(mountpoint, timeout_ms=None):
            calls.append([mountpoint, timeout_ms])
            os.makedirs(os.path.join(mountpoint, 'MyDrive'), exist_ok=True)
        """))
    mount = tmp_path / "it's $(touch pwned) mount"
    cells = code_cells("drive-mount", {"variant": "colab", "mount_point": str(mount),
                                       "folder": "runs/`x`", "timeout_seconds": "7"})
    assert len(cells) == 1
    kernel.ok(f"import sys; sys.path.insert(0, {str(fake)!r})")
    try:
        kernel.ok(cells[0])
        assert variable(kernel, "__import__('google.colab.drive').colab.drive.calls") == [[str(mount), 7000]]
        assert (mount / "MyDrive" / "runs" / "`x`").is_dir()
    finally:
        kernel.ok(f"sys.path.remove({str(fake)!r}); [sys.modules.pop(m) for m in list(sys.modules) if m.startswith('google')]")
    no_pwned(tmp_path)


def test_drive_mount_on_colab_fails_when_drive_is_not_mounted(kernel, tmp_path):
    fake = tmp_path / "fake"
    (fake / "google" / "colab").mkdir(parents=True)
    (fake / "google" / "__init__.py").write_text("")
    (fake / "google" / "colab" / "__init__.py").write_text("")
    (fake / "google" / "colab" / "drive.py").write_text("def mount(mountpoint, timeout_ms=None):\n    pass\n")
    cells = code_cells("drive-mount", {"variant": "colab", "mount_point": str(tmp_path / "m")})
    kernel.ok(f"import sys; sys.path.insert(0, {str(fake)!r})")
    try:
        _, _, error = kernel.run(cells[0])
    finally:
        kernel.ok(f"sys.path.remove({str(fake)!r}); [sys.modules.pop(m) for m in list(sys.modules) if m.startswith('google')]")
    assert error["ename"] == "FileNotFoundError"


# ------------------------------------------------------------------ checkpoint helper

@pytest.fixture()
def keeper(kernel, tmp_path):
    helper = code_cells("checkpoint-train", {
        "checkpoint_dir": str(tmp_path / "local ckpt"), "persistent_dir": str(tmp_path / "drive's copy"),
        "every_minutes": "10", "keep_last": "2"})[1]
    out, _ = kernel.ok(helper)
    assert "every 10 min, last 2 kept" in out
    kernel.ok(textwrap.dedent("""\
        import os as _os, pickle as _pickle
        _now = [0.0]
        keeper = CheckpointKeeper(clock=lambda: _now[0], save=lambda s, p: _pickle.dump(s, open(p, 'wb')),
                                  load=lambda p: _pickle.load(open(p, 'rb')))
        """))
    return tmp_path


def test_the_pasted_keeper_saves_when_the_probe_asks(kernel, keeper, probe):
    # The template pastes jupyterlab_gpu_session/checkpoint.py whole: the same
    # request channel works in a kernel without this package.
    folder = keeper / "local ckpt"
    result = probe.request_checkpoint([str(folder)], "Checkpoint now", request_id="req-t1")
    assert result["directories"][str(folder)]["ok"] is True
    kernel.ok("import time as _time; _time.sleep(0.25)")  # past check_seconds
    path = variable(kernel, "keeper.maybe_save({'step': 5}, 5)")
    assert path and Path(path).exists()
    status = json.loads((folder / ".gpu-session-checkpoint-status.json").read_text())
    assert status["request"]["id"] == "req-t1" and status["request"]["state"] == "saved"
    assert status["last_save"]["copy"]["verified"] is True
    report = probe.checkpoint_report([str(folder / "*.pt")])
    assert [loop["state"] for loop in report["loops"]] == ["running"]
    kernel.ok("keeper.close()")


def test_checkpoints_are_time_based_kept_and_copied(kernel, keeper):
    assert variable(kernel, "keeper.load_latest()") == (None, None)
    assert variable(kernel, "keeper.maybe_save({'step': 1}, 1)") is None  # not due yet
    kernel.ok("_now[0] = 599.0")
    assert variable(kernel, "keeper.maybe_save({'step': 1}, 1)") is None
    for step, at in ((1, 600.0), (2, 1200.0), (3, 1800.0)):
        kernel.ok(f"_now[0] = {at}")
        path = variable(kernel, f"keeper.maybe_save(lambda: {{'step': {step}}}, {step})")
        assert path and Path(path).exists()
        _os_utime = f"_os.utime({path!r}, ({step}, {step}))"  # distinct mtimes
        kernel.ok(_os_utime)
    # the keeper's status record (a dot-file) sits beside the checkpoints
    local = sorted(p.name for p in (keeper / "local ckpt").iterdir() if not p.name.startswith("."))
    assert len(local) == 2 and local[-1].endswith("step000000003.pt")
    state, path = variable(kernel, "keeper.load_latest()")
    assert state == {"step": 3} and path.endswith("step000000003.pt")
    copies = sorted(p.name for p in (keeper / "drive's copy").iterdir() if not p.name.startswith("."))
    assert copies == local


def test_an_interrupted_save_leaves_the_previous_checkpoint(kernel, keeper):
    first = variable(kernel, "keeper.save({'step': 1}, 1)")
    before = Path(first).read_bytes()
    _, _, error = kernel.run(textwrap.dedent("""\
        def _broken(state, path):
            with open(path, 'wb') as f:
                f.write(b'half a checkpoint')
            raise KeyboardInterrupt
        keeper._save = _broken
        keeper.save({'step': 2}, 2)
        """))
    assert error["ename"] == "KeyboardInterrupt"
    assert variable(kernel, "keeper.latest()") == first
    assert Path(first).read_bytes() == before
    assert [p.name for p in (keeper / "local ckpt").iterdir()
            if not p.name.startswith(".")] == [Path(first).name]


def test_resume_picks_the_newest_checkpoint(kernel, keeper):
    folder = keeper / "local ckpt"
    for name, mtime in (("ckpt-b.pt", 300), ("ckpt-a.pt", 200), ("ckpt-c.pt", 100)):
        (folder / name).write_bytes(b"x")
        os.utime(folder / name, (mtime, mtime))
    (folder / ".ckpt-z.pt.123.partial").write_bytes(b"half")
    assert variable(kernel, "keeper.latest()") == str(folder / "ckpt-b.pt")


def test_a_copy_that_does_not_read_back_is_reported(kernel, keeper):
    kernel.ok(textwrap.dedent("""\
        import warnings
        _load = keeper._load
        keeper._load = lambda p: (_ for _ in ()).throw(OSError('unreadable')) if 'copy' in p else _load(p)
        """))
    out, _, error = kernel.run(textwrap.dedent("""\
        with warnings.catch_warnings(record=True) as _caught:
            warnings.simplefilter('always')
            _path = keeper.save({'step': 5}, 5)
        print([str(w.message) for w in _caught])
        """))
    assert error is None
    assert "Checkpoint copy to" in out and "unreadable" in out and "is kept" in out
    assert Path(variable(kernel, "_path")).exists()


# ------------------------------------------------------------------ env-snapshot and gpu-check, CPU only


def test_env_snapshot_on_a_cpu_only_machine(kernel, kernel_home):
    out, displays = kernel.ok(code_cells("env-snapshot", context={"notebook_path": "dir/My Notebook.ipynb",
                                                                  "platform": "generic"})[0], timeout=180)
    report = [d for d in displays if SNAPSHOT_MIME in d][0]
    assert report["text/plain"].startswith("Environment snapshot saved in env-snapshots")
    data = report[SNAPSHOT_MIME]
    folder = kernel_home / data["path"]
    assert data["path"].startswith("env-snapshots" + os.sep)
    info = json.loads((folder / "environment.json").read_text())
    assert info["notebook"] == "dir/My Notebook.ipynb"
    assert info["python"] == variable(kernel, "__import__('sys').version")
    assert info["session_platform"] == "generic"
    freeze = (folder / "requirements-freeze.txt").read_text()
    assert "ipykernel==" in freeze
    if shutil.which("nvidia-smi") is None:
        assert data["gpu"] is None and info["gpus"] == [] and info["gpu_error"] == "nvidia-smi not found"


def test_gpu_check_on_a_cpu_only_machine(kernel):
    out, _ = kernel.ok(code_cells("gpu-check", {"matrix_size": "128"})[0], timeout=180)
    if shutil.which("nvidia-smi") is None:
        assert "nvidia-smi: not found" in out
    for framework in ("torch", "tensorflow", "jax"):
        assert f"{framework}: " in out or f"{framework} " in out
    assert "GFLOP/s" in out


def test_gpu_check_pure_python_fallback(kernel):
    # Hide numpy and torch, as on a bare Python.
    kernel.ok("import importlib.util as _u; _real_find = _u.find_spec; "
              "_u.find_spec = lambda n, *a: None if n in ('numpy', 'torch', 'tensorflow', 'jax') else _real_find(n, *a)")
    try:
        out, _ = kernel.ok(code_cells("gpu-check", {"matrix_size": "4096"})[0])
    finally:
        kernel.ok("_u.find_spec = _real_find")
    assert "matmul 64x64, pure Python on the CPU" in out
    assert "torch: not installed" in out


# ------------------------------------------------------------------ install-deps


def make_wheel(folder, name="gpusess_demo", version="1.0"):
    wheel = folder / f"{name}-{version}-py3-none-any.whl"
    dist = f"{name}-{version}.dist-info"
    with zipfile.ZipFile(wheel, "w") as z:
        z.writestr(f"{name}/__init__.py", "")
        z.writestr(f"{dist}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        z.writestr(f"{dist}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{dist}/RECORD", "")
    return wheel


def test_install_deps_with_a_hostile_requirements_path(kernel, tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    make_wheel(wheels)
    requirements = tmp_path / "it's $(touch pwned) `x` reqs.txt"
    requirements.write_text("gpusess-demo==1.0  # pinned\n")
    install, report = code_cells("install-deps", {"packages": "", "requirements": str(requirements)})
    kernel.ok("import os; _saved = dict(os.environ); "
              f"os.environ.update(PIP_DRY_RUN='1', PIP_NO_INDEX='1', PIP_FIND_LINKS={str(wheels)!r}, "
              "PIP_DISABLE_PIP_VERSION_CHECK='1')")
    try:
        out, _ = kernel.ok(install, timeout=180)
    finally:
        kernel.ok("os.environ.clear(); os.environ.update(_saved)")
    assert "-r '" + str(requirements).replace("'", "'\"'\"'") + "'" in out
    # pip found the file by its exact path and resolved it offline (a wrong
    # path or an unresolvable requirement fails the cell).
    assert variable(kernel, "GPU_SESSION_INSTALLED") == ["gpusess-demo"]
    out, _ = kernel.ok(report)
    assert "gpusess-demo: not installed" in out  # a dry run installs nothing
    no_pwned(tmp_path)


def test_install_deps_refuses_unpinned_packages(kernel):
    install = code_cells("install-deps", {"packages": "numpy torch==2.3.1"})[0]
    _, _, error = kernel.run(install)
    assert error["ename"] == "ValueError" and "numpy" in error["evalue"] and "torch" not in error["evalue"]


def test_install_deps_advises_a_restart_when_an_imported_package_changed(kernel):
    report = code_cells("install-deps", {"packages": "ipykernel==0"})[1]
    kernel.ok("GPU_SESSION_INSTALLED = ['ipykernel', 'jupyter-client']; "
              "GPU_SESSION_VERSIONS_BEFORE = {'ipykernel': '0.0.1', 'jupyter-client': None}")
    out, _ = kernel.ok(report)
    assert "(was 0.0.1)" in out
    assert "Restart the kernel" in out and "ipykernel" in out.split("Restart the kernel")[1]
    assert "jupyter-client" not in out.split("Restart the kernel")[1]


# ------------------------------------------------------------------ schema


def test_builtin_templates_match_the_settings_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((REPO / "schema" / "templates.json").read_text())
    listed = subprocess.run(
        ["node", str(RENDER)], input=json.dumps({"builtins": True}), capture_output=True,
        text=True, encoding="utf-8", cwd=REPO, timeout=60, check=True,
    )
    builtins = json.loads(listed.stdout)["templates"]
    template_schema = {**schema["definitions"]["template"], "definitions": schema["definitions"]}
    for template in builtins:
        jsonschema.validate(template, template_schema)
    assert [t["id"] for t in builtins] == ["drive-mount", "install-deps", "checkpoint-train", "env-snapshot", "gpu-check"]
