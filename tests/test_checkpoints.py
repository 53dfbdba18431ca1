"""The checkpoint report: the newest file matching the user's glob patterns."""

import base64
import json
import os

import pytest

from conftest import run_probe

KEYS = {"patterns", "newest_path", "newest_mtime", "newest_size_bytes", "matched", "loops",
        "error"}


def touch(path, mtime, size=10):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(str(path), (mtime, mtime))
    return path


@pytest.fixture
def runs(tmp_path):
    """A training folder: two runs, checkpoints at several depths."""
    base = tmp_path / "runs"
    touch(base / "a" / "epoch1.pt", 1000, size=100)
    touch(base / "a" / "epoch2.pt", 2000, size=200)
    touch(base / "b" / "deep" / "er" / "step900.ckpt", 3000, size=300)
    touch(base / "b" / "notes.txt", 9000)
    touch(base / ".hidden" / "cache.pt", 9500)  # wildcards skip dot-names
    return base


def test_no_globs_no_report(probe):
    assert probe.sample()["checkpoint"] is None
    assert probe.sample(checkpoint_globs=[])["checkpoint"] is None


def test_newest_over_all_patterns(probe, runs):
    r = probe.sample(checkpoint_globs=[str(runs / "*" / "*.pt"),
                                       str(runs / "**" / "*.ckpt")])["checkpoint"]
    assert set(r) == KEYS
    assert r["newest_path"] == str(runs / "b" / "deep" / "er" / "step900.ckpt")
    assert r["newest_mtime"] == 3000.0 and r["newest_size_bytes"] == 300
    assert r["matched"] == 3 and r["error"] is None
    assert r["patterns"] == [str(runs / "*" / "*.pt"), str(runs / "**" / "*.ckpt")]


def test_recursive_double_star_matches_zero_or_more_folders(probe, runs):
    touch(runs / "top.pt", 500)
    r = probe.checkpoint_report([str(runs / "**" / "*.pt")])
    assert r["matched"] == 3  # top.pt, a/epoch1.pt, a/epoch2.pt; not .hidden/
    assert r["newest_path"] == str(runs / "a" / "epoch2.pt")


def test_hidden_names_match_when_the_pattern_says_so(probe, runs):
    r = probe.checkpoint_report(str(runs / ".hidden" / "*.pt"))
    assert r["newest_path"] == str(runs / ".hidden" / "cache.pt")


def test_a_file_matched_by_two_patterns_counts_once(probe, runs):
    r = probe.checkpoint_report([str(runs / "a" / "*.pt"), str(runs / "**" / "epoch*.pt")])
    assert r["matched"] == 2


def test_home_is_expanded(probe, runs, monkeypatch):
    monkeypatch.setenv("HOME", str(runs))
    r = probe.checkpoint_report(["~/a/*.pt"])
    assert r["newest_path"] == str(runs / "a" / "epoch2.pt")
    assert r["patterns"] == ["~/a/*.pt"]


def test_relative_patterns_are_relative_to_the_working_directory(probe, runs, monkeypatch):
    monkeypatch.chdir(str(runs))
    r = probe.checkpoint_report(["a/epoch1.pt", "./b/**/*.ckpt"])
    assert r["matched"] == 2
    assert r["newest_path"] == str(runs / "b" / "deep" / "er" / "step900.ckpt")


def test_nothing_matches(probe, tmp_path):
    r = probe.checkpoint_report([str(tmp_path / "nope" / "**" / "*.pt"),
                                 str(tmp_path / "*.safetensors")])
    assert r == {"patterns": [str(tmp_path / "nope" / "**" / "*.pt"),
                              str(tmp_path / "*.safetensors")],
                 "newest_path": None, "newest_mtime": None, "newest_size_bytes": None,
                 "matched": 0, "loops": [], "error": None}


def test_folders_and_dangling_links_are_not_checkpoints(probe, tmp_path):
    (tmp_path / "ckpt.pt").mkdir()
    os.symlink(str(tmp_path / "gone.pt"), str(tmp_path / "link.pt"))
    touch(tmp_path / "real.pt", 100)
    os.symlink(str(tmp_path / "real.pt"), str(tmp_path / "good-link.pt"))
    r = probe.checkpoint_report([str(tmp_path / "*.pt")])
    assert r["matched"] == 2 and r["error"] is None


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="root reads folders whatever their mode")
def test_unreadable_folders_are_skipped(probe, runs):
    locked = runs / "b"
    locked.chmod(0)
    try:
        r = probe.checkpoint_report([str(runs / "**" / "*")])
    finally:
        locked.chmod(0o755)
    assert r["error"] is None and r["newest_path"] == str(runs / "a" / "epoch2.pt")


def test_unreadable_folders_do_not_crash(probe, runs, monkeypatch):
    real = os.scandir

    def scandir(path="."):
        if str(path).endswith(os.sep + "b"):
            raise PermissionError(13, "Permission denied")
        return real(path)
    monkeypatch.setattr(probe.os, "scandir", scandir)
    r = probe.checkpoint_report([str(runs / "**" / "*.*")])
    assert r["error"] is None and r["newest_path"] == str(runs / "a" / "epoch2.pt")


def test_the_search_is_capped(probe, tmp_path, monkeypatch):
    for i in range(30):
        touch(tmp_path / "many" / ("f%02d.pt" % i), 1000 + i)
    monkeypatch.setattr(probe, "CHECKPOINT_MAX_ENTRIES", 10)
    r = probe.checkpoint_report([str(tmp_path / "many" / "*.pt")])
    assert r["error"].startswith("stopped after looking at 10 directory entries")
    assert 0 < r["matched"] <= 10 and r["newest_path"] is not None
    assert probe.checkpoint_report([str(tmp_path / "many" / "*.pt")],
                                   max_entries=100)["error"] is None


def test_default_cap(probe):
    assert probe.CHECKPOINT_MAX_ENTRIES == 10000


def test_b64_and_script_carry_the_report(probe, runs):
    s = json.loads(base64.b64decode(probe.sample_b64(
        checkpoint_globs=[str(runs / "a" / "*.pt")])).decode("utf-8"))
    assert s["checkpoint"]["newest_path"] == str(runs / "a" / "epoch2.pt")
    samples, _ = run_probe("--gpu-source", "nvml", "--checkpoint", runs / "a" / "*.pt",
                           "--checkpoint", runs / "**" / "*.ckpt")
    r = samples[0]["checkpoint"]
    assert r["matched"] == 3 and r["newest_mtime"] == 3000.0
    samples, _ = run_probe("--gpu-source", "nvml")
    assert samples[0]["checkpoint"] is None


def test_single_string_pattern(probe, runs):
    r = probe.checkpoint_report(str(runs / "a" / "epoch1.pt"))
    assert r["patterns"] == [str(runs / "a" / "epoch1.pt")] and r["matched"] == 1
