#!/usr/bin/env python3
"""One resource sample for jupyterlab-gpu-session, as JSON.

This file is self-contained and uses the standard library only (Python 3.8+).
It runs in two ways:

* as a script: ``python3 probe.py [--kernel-id ID]... [--disk PATH]...``
  prints one JSON object per sample and exits 0, also without GPU or driver;
* inside a Jupyter kernel: the front end executes this source in a module
  namespace, keeps the module, and on each tick evaluates ``sample_b64(...)``.

Module-level state (NVML handle, previous CPU times, kernel pid cache,
nvidia-smi back-off) lives in ``_STATE`` so that repeated calls are cheap.
The output format is documented in docs/probe.md.
"""

import base64
import calendar
import csv
import fnmatch
import io
import json
import math
import os
import re
import shutil
import socket
import stat as _stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid

PROBE_SCHEMA_VERSION = 1

#: Seconds one nvidia-smi call may take before it is killed.
NVIDIA_SMI_TIMEOUT_S = 3.0
#: Seconds nvidia-smi is left alone after it timed out (a hung driver).
NVIDIA_SMI_BACKOFF_S = 60.0
#: Seconds nvmlInit may take (it can hang on a broken driver); env override.
NVML_INIT_TIMEOUT_S = 5.0
#: Seconds before a failed NVML initialisation is tried again.
NVML_RETRY_S = 60.0
#: Seconds a kernel id that was not found is not searched for again.
KERNEL_MISS_TTL_S = 5.0
#: Seconds between two full scans of the process table that check the
#: kernel trees walked through /proc/PID/task/TID/children. Those files miss
#: at most a child that starts or exits while they are read, and the next
#: sample sees it, so the scan is a safety net; on a crowded host it costs
#: what a whole sample used to, so it is rare (1 sample in 30 at the default
#: 2 s interval).
KERNEL_TREE_RESCAN_S = 60.0
#: Most of one CPU those scans may take: after a scan that cost T seconds of
#: CPU the next waits at least T / this (a 50 ms scan of 2,000 processes:
#: 250 s), so the check stays cheap however crowded the host is.
KERNEL_TREE_RESCAN_CPU_SHARE = 0.0002
#: The interpreter's GIL switch interval while a sample runs in a kernel.
#: In a subshell, beside a main thread running pure-Python code, every
#: system call of the sample gives up the GIL and then waits out the switch
#: interval (5 ms by default) to get it back: one sample took 3-18 s
#: (tests/test_subshell.py, measured in docs/benchmarks.md). Shortened only
#: for the sample's own duration.
SAMPLE_SWITCH_INTERVAL_S = 0.0005
#: Seconds one squeue / scontrol call may take before it is killed.
SLURM_TIMEOUT_S = 3.0
#: Seconds between two questions to Slurm about the job's times (a job's
#: time limit can be extended while it runs, so the answer is not cached
#: for good).
SLURM_REQUERY_S = 60.0
#: Most directory entries the checkpoint search looks at per sample.
CHECKPOINT_MAX_ENTRIES = 10000

NVML_LIB_ENV = "JUPYTERLAB_GPU_SESSION_NVML_LIB"
NVML_TIMEOUT_ENV = "JUPYTERLAB_GPU_SESSION_NVML_INIT_TIMEOUT"
NVML_DEFAULT_LIB = "libnvidia-ml.so.1"

QUERY_GPU_FIELDS = (
    "index,uuid,name,memory.total,memory.used,utilization.gpu,"
    "utilization.memory,temperature.gpu,power.draw,power.limit,mig.mode.current"
)
QUERY_APPS_FIELDS = "gpu_uuid,pid,process_name,used_gpu_memory"

_MIB = 1024 * 1024
_UNIT_BYTES = {
    "b": 1, "kib": 1024, "kb": 1024, "mib": _MIB, "mb": _MIB,
    "gib": 1024 * _MIB, "gb": 1024 * _MIB,
}
# cgroup v1 reports "no limit" as a page-aligned LONG_MAX; anything this big
# is no limit.
_CGROUP_UNLIMITED = 1 << 60


class _State(object):
    """Everything that survives between two samples in one process."""

    def __init__(self):
        self.lock = threading.Lock()
        self.nvml = None            # _Nvml once initialised
        self.nvml_error = None      # why NVML is unavailable
        self.nvml_retry_at = 0.0    # monotonic time of the next init try
        self.nvml_pending = None    # [thread, result] of a hung init
        self.nvml_permanent = False  # library missing: never retry
        self.smi_backoff_until = 0.0
        self.smi_stuck = []         # killed children that did not exit yet
        self.kernel_pid = {}        # (root, kernel id) -> pid
        self.kernel_miss = {}       # (root, kernel id) -> monotonic time
        # (root, kernel id) -> (monotonic time, tree root pid,
        #                       {pid: (start time, cpu ticks)}) of its tree
        self.prev_ticks = {}
        self.tree_scan_next = {}    # root -> monotonic time of the next full scan
        self.static = {}            # (root, name) -> value that never changes
        self.platform = {}          # environment signature -> detected platform
        self.slurm = {}             # environment signature -> [next query, times]


_STATE = _State()

try:
    _CLK_TCK = os.sysconf("SC_CLK_TCK")
except (ValueError, OSError, AttributeError):  # pragma: no cover
    _CLK_TCK = 100
try:
    _PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
except (ValueError, OSError, AttributeError):  # pragma: no cover
    _PAGE_SIZE = 4096


# --------------------------------------------------------------------------
# small helpers

def _read(path, binary=False):
    with open(path, "rb" if binary else "r") as f:
        return f.read()


def _read_or_none(path):
    try:
        with open(path, "r") as f:
            return f.read()
    except (OSError, ValueError):
        return None


def _int_or_none(text):
    try:
        return int(text.strip())
    except (AttributeError, ValueError):
        return None


def _proc(root, *parts):
    return os.path.join(root, "proc", *parts)


def _short(text, limit=200):
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[:limit] + "..."


_NUM_RE = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([A-Za-z%]*)\s*$")


def _number(text, unit=None):
    """Parse ``"15360 MiB"``, ``"26.78 W"``, ``"0 %"``; None for N/A & co.

    ``unit`` is the unit from a CSV header (``memory.total [MiB]``) used when
    the value itself carries none. Memory units are converted to bytes.
    """
    if text is None:
        return None
    m = _NUM_RE.match(str(text))
    if not m:
        return None  # N/A, [N/A], [Not Supported], [Unknown Error], ...
    value = float(m.group(1))
    u = (m.group(2) or unit or "").lower()
    if u in _UNIT_BYTES:
        return int(round(value * _UNIT_BYTES[u]))
    if value == int(value) and "." not in m.group(1):
        return int(value)
    return value


def _bool_mode(text):
    if text is None:
        return None
    t = str(text).strip().lower()
    if t in ("enabled", "enable", "on", "yes", "1"):
        return True
    if t in ("disabled", "disable", "off", "no", "0"):
        return False
    return None


def _clean_floats(obj):
    """Replace NaN/inf so that json.dumps(allow_nan=False) cannot fail."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return dict((str(k), _clean_floats(v)) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return [_clean_floats(v) for v in obj]
    return obj


def _dumps(obj):
    try:
        return json.dumps(obj, allow_nan=False, separators=(",", ":"),
                          ensure_ascii=False)
    except (ValueError, TypeError):
        return json.dumps(_clean_floats(obj), allow_nan=False,
                          separators=(",", ":"), ensure_ascii=False,
                          default=str)


# --------------------------------------------------------------------------
# host

def _meminfo(root):
    info = {}
    for line in _read(_proc(root, "meminfo")).splitlines():
        key, _, rest = line.partition(":")
        parts = rest.split()
        if parts:
            try:
                info[key] = int(parts[0]) * (1024 if len(parts) > 1 else 1)
            except ValueError:
                pass
    return info


def _cgroup_lines(root):
    """Parse /proc/self/cgroup into [(controllers, path)]."""
    text = _read_or_none(_proc(root, "self", "cgroup")) or ""
    out = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            out.append((parts[1].split(","), parts[2].strip()))
    return out


def _cgroup_chain(base, rel):
    """Directories from the process's cgroup up to the mount point."""
    leaf = os.path.normpath(os.path.join(base, rel.lstrip("/"))) if rel else base
    if not leaf.startswith(base) or not os.path.isdir(leaf):
        # cgroup namespace or a container that mounts its own cgroup at the
        # root: the mount point is the process's cgroup.
        leaf = base
    chain = [leaf]
    while leaf != base and len(chain) < 64:
        leaf = os.path.dirname(leaf)
        chain.append(leaf)
    return chain


def _cgroup_info(root):
    """Return (version, memory dict or None, cpu quota or None).

    memory dict: limit, usage, inactive_file (any may be None).
    Cached per root: the chain of directories; values are read every time.
    """
    key = (root, "cgroup")
    cached = _STATE.static.get(key)
    if cached is None:
        base = os.path.join(root, "sys", "fs", "cgroup")
        lines = _cgroup_lines(root)
        if os.path.exists(os.path.join(base, "cgroup.controllers")):
            rel = ""
            for ctrls, path in lines:
                if ctrls == [""] or ctrls == []:
                    rel = path
            cached = (2, _cgroup_chain(base, rel), None)
        elif os.path.isdir(os.path.join(base, "memory")) or os.path.isdir(
                os.path.join(base, "cpu")):
            mem_rel = cpu_rel = ""
            for ctrls, path in lines:
                if "memory" in ctrls:
                    mem_rel = path
                if "cpu" in ctrls:
                    cpu_rel = path
            mem_base = os.path.join(base, "memory")
            cpu_base = os.path.join(base, "cpu")
            if not os.path.isdir(cpu_base):
                cpu_base = os.path.join(base, "cpu,cpuacct")
            cached = (1, _cgroup_chain(mem_base, mem_rel)[:1],
                      _cgroup_chain(cpu_base, cpu_rel)[:1])
        else:
            cached = (None, [], None)
        _STATE.static[key] = cached
    version, chain, cpu_chain = cached
    if version == 2:
        return (2,) + _cgroup2_values(chain)
    if version == 1:
        return (1, _cgroup1_memory(chain[0]),
                _cgroup1_cpu(cpu_chain[0]) if cpu_chain else None)
    return None, None, None


def _stat_value(text, names):
    if not text:
        return None
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in names:
            return _int_or_none(parts[1])
    return None


def _cgroup2_values(chain):
    best = None
    cpu = None
    for d in chain:
        raw = _read_or_none(os.path.join(d, "memory.max"))
        if raw is not None and raw.strip() != "max":
            limit = _int_or_none(raw)
            if limit is not None and (best is None or limit < best[0]):
                best = (limit, d)
        raw = _read_or_none(os.path.join(d, "cpu.max"))
        if raw:
            parts = raw.split()
            if len(parts) >= 1 and parts[0] != "max":
                quota = _int_or_none(parts[0])
                period = _int_or_none(parts[1]) if len(parts) > 1 else 100000
                if quota and period and quota > 0 and period > 0:
                    c = float(quota) / period
                    cpu = c if cpu is None else min(cpu, c)
    if best is None:
        return {"limit": None, "usage": None, "inactive_file": None}, cpu
    limit, d = best
    usage = _int_or_none(_read_or_none(os.path.join(d, "memory.current")))
    inactive = _stat_value(_read_or_none(os.path.join(d, "memory.stat")),
                           ("inactive_file",))
    return {"limit": limit, "usage": usage, "inactive_file": inactive}, cpu


def _cgroup1_memory(d):
    limit = _int_or_none(_read_or_none(os.path.join(d, "memory.limit_in_bytes")))
    stat = _read_or_none(os.path.join(d, "memory.stat"))
    hier = _stat_value(stat, ("hierarchical_memory_limit",))
    if hier is not None and (limit is None or hier < limit):
        limit = hier
    if limit is not None and limit >= _CGROUP_UNLIMITED:
        limit = None
    if limit is None:
        return {"limit": None, "usage": None, "inactive_file": None}
    usage = _int_or_none(_read_or_none(os.path.join(d, "memory.usage_in_bytes")))
    inactive = _stat_value(stat, ("total_inactive_file",))
    if inactive is None:
        inactive = _stat_value(stat, ("inactive_file",))
    return {"limit": limit, "usage": usage, "inactive_file": inactive}


def _cgroup1_cpu(d):
    quota = _int_or_none(_read_or_none(os.path.join(d, "cpu.cfs_quota_us")))
    period = _int_or_none(_read_or_none(os.path.join(d, "cpu.cfs_period_us")))
    if quota and period and quota > 0 and period > 0:
        return float(quota) / period
    return None


def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count()


def _host(root, errors):
    host = {
        "hostname": None, "cpu_count": None, "load_avg_1m": None,
        "memory_total_bytes": None, "memory_available_bytes": None,
        "memory_used_bytes": None, "memory_limit_bytes": None,
        "swap_total_bytes": None, "swap_used_bytes": None,
        "boot_time": None, "cgroup_version": None, "disks": [],
    }
    try:
        host["hostname"] = socket.gethostname()
    except Exception as e:  # pragma: no cover
        errors.append("hostname: %s" % e)
    try:
        load = _read(_proc(root, "loadavg")).split()
        host["load_avg_1m"] = float(load[0])
    except Exception as e:
        errors.append("load average: %s" % _short(e))
    try:
        key = (root, "btime")
        if key not in _STATE.static:
            btime = None
            for line in _read(_proc(root, "stat")).splitlines():
                if line.startswith("btime "):
                    btime = int(line.split()[1])
                    break
            _STATE.static[key] = btime
        host["boot_time"] = _STATE.static[key]
    except Exception as e:
        errors.append("boot time: %s" % _short(e))
    mem = {}
    try:
        mem = _meminfo(root)
        total = mem.get("MemTotal")
        avail = mem.get("MemAvailable")
        if avail is None and total is not None:
            avail = (mem.get("MemFree", 0) + mem.get("Buffers", 0)
                     + mem.get("Cached", 0))
        host["memory_total_bytes"] = total
        host["memory_available_bytes"] = avail
        if total is not None and avail is not None:
            host["memory_used_bytes"] = max(0, total - avail)
        if "SwapTotal" in mem:
            host["swap_total_bytes"] = mem["SwapTotal"]
            host["swap_used_bytes"] = max(0, mem["SwapTotal"]
                                          - mem.get("SwapFree", mem["SwapTotal"]))
    except Exception as e:
        errors.append("meminfo: %s" % _short(e))
    cpus = _cpu_count()
    try:
        version, cg_mem, cg_cpu = _cgroup_info(root)
        host["cgroup_version"] = version
        if cg_cpu is not None and cpus is not None and cg_cpu < cpus:
            cpus = cg_cpu
        if cg_mem and cg_mem.get("limit") is not None:
            limit = cg_mem["limit"]
            host["memory_limit_bytes"] = limit
            usage = cg_mem.get("usage")
            if usage is not None:
                used = max(0, usage - (cg_mem.get("inactive_file") or 0))
                host["memory_used_bytes"] = used
            used = host["memory_used_bytes"]
            if used is not None:
                avail = max(0, limit - used)
                if host["memory_available_bytes"] is not None:
                    avail = min(avail, host["memory_available_bytes"])
                host["memory_available_bytes"] = avail
    except Exception as e:
        errors.append("cgroup: %s" % _short(e))
    if isinstance(cpus, float) and cpus == int(cpus):
        cpus = int(cpus)
    host["cpu_count"] = cpus
    return host


def _disk(path):
    entry = {"path": path, "total_bytes": None, "used_bytes": None,
             "free_bytes": None, "error": None}
    try:
        st = os.statvfs(path)
        entry["total_bytes"] = st.f_blocks * st.f_frsize
        entry["used_bytes"] = (st.f_blocks - st.f_bfree) * st.f_frsize
        entry["free_bytes"] = st.f_bavail * st.f_frsize
    except Exception as e:
        entry["error"] = "%s: %s" % (type(e).__name__,
                                     getattr(e, "strerror", None) or e)
    return entry


# --------------------------------------------------------------------------
# processes and kernels

def _read_bytes(path):
    """The whole file. os.open and os.read cost half of what open() does for
    the small /proc files that each sample reads (OSError as open's)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


def _proc_stat(root, pid):
    """(ppid, cpu ticks, rss bytes, start time) from /proc/PID/stat, or None.

    The start time (clock ticks after boot) tells a process from a later
    one that got the same pid.
    """
    try:
        data = _read_bytes(_proc(root, str(pid), "stat"))
    except OSError:
        return None
    # the command name may contain spaces and ')': split after the last ')'
    rest = data[data.rfind(b")") + 2:].split()
    try:
        return (int(rest[1]), int(rest[11]) + int(rest[12]),
                int(rest[21]) * _PAGE_SIZE, int(rest[19]))
    except (IndexError, ValueError):
        return None


def _cmdline_names(root, pid, needle):
    try:
        return needle in _read_bytes(_proc(root, str(pid), "cmdline"))
    except OSError:
        return False


def _pids(root):
    out = []
    try:
        names = os.listdir(_proc(root))
    except OSError:
        return out
    for name in names:
        if name.isdigit():
            out.append(int(name))
    return out


def _process_name(root, pid):
    text = _read_or_none(_proc(root, str(pid), "comm"))
    return text.rstrip("\n") if text else None


def _task_children(root, pid):
    """The children of ``pid`` from /proc/PID/task/*/children, or None.

    Each thread lists the children it forked. None when no such file can be
    read: a kernel built without CONFIG_PROC_CHILDREN, or ``pid`` is gone.
    """
    task = _proc(root, str(pid), "task")
    try:
        tids = os.listdir(task)
    except OSError:
        return None
    out = []
    readable = False
    for tid in tids:
        try:
            data = _read_bytes(os.path.join(task, tid, "children"))
        except OSError:
            # a thread that exited after the listing: its children went to
            # another thread of the process, which lists them
            continue
        readable = True
        out.extend(int(p) for p in data.split() if p.isdigit())
    return out if readable else None


def _walk(top, children_of):
    """``top`` and all its descendants; children_of(pid) -> list or None."""
    tree = [top]
    seen = set(tree)
    i = 0
    while i < len(tree):
        for child in children_of(tree[i]) or ():
            if child not in seen:
                seen.add(child)
                tree.append(child)
        i += 1
    return tree


class _Table(object):
    """The whole process table, read once per sample and only when needed:
    on hosts without children files, and for the rare check."""

    def __init__(self, root):
        self.stats = {}
        for pid in _pids(root):
            st = _proc_stat(root, pid)
            if st is not None:
                self.stats[pid] = st
        self.children = {}
        for pid, st in self.stats.items():
            self.children.setdefault(st[0], []).append(pid)


def _kernels(root, kernel_ids, errors, self_kernel_id=None):
    """Find each kernel's process tree and its resource use.

    Reads only the kernels' trees: each kernel's pid is cached and checked
    (its command line), its tree walked through children files. The whole
    process table is read when those files are missing and, as a check,
    every KERNEL_TREE_RESCAN_S or less often (KERNEL_TREE_RESCAN_CPU_SHARE).
    ``self_kernel_id`` names the kernel this process
    is (the probe runs inside it): its pid is our own, nothing is searched.

    Returns (kernels dict, {kernel id: set of pids}).
    """
    kernels = {}
    trees = {}
    kernel_ids = [str(k) for k in kernel_ids]
    self_kernel_id = str(self_kernel_id) if self_kernel_id else None
    if self_kernel_id is not None and self_kernel_id not in kernel_ids:
        kernel_ids.append(self_kernel_id)
    if not kernel_ids:
        return kernels, trees
    now = time.monotonic()
    next_scan = _STATE.tree_scan_next.setdefault(root, now + KERNEL_TREE_RESCAN_S)
    table = [None]

    def whole_table():
        if table[0] is None:
            cpu = time.process_time()
            table[0] = _Table(root)
            cpu = time.process_time() - cpu
            _STATE.tree_scan_next[root] = now + max(
                KERNEL_TREE_RESCAN_S, cpu / KERNEL_TREE_RESCAN_CPU_SHARE)
        return table[0]

    if now >= next_scan:
        whole_table()
    for kid in kernel_ids:
        try:
            if kid == self_kernel_id:
                pid = os.getpid()
            else:
                pid = _find_kernel(root, kid, now)
            if pid is None:
                kernels[kid] = None
                _STATE.prev_ticks.pop((root, kid), None)
                continue
            tree = None
            if table[0] is None:
                tree = _walk_children(root, pid)
            if tree is None:
                tree = _walk(pid, whole_table().children.get)
            stats = table[0].stats if table[0] is not None else None
            tree = sorted(tree)
            trees[kid] = set(tree)
            kernels[kid] = _kernel_entry(root, kid, pid, tree, stats, now)
            if kid == self_kernel_id:
                kernels[kid]["torch_cuda"] = _torch_cuda(errors)
        except Exception as e:
            errors.append("kernel %s: %s" % (kid, _short(e)))
            kernels[kid] = None
    if len(_STATE.prev_ticks) > 64:
        # kernel ids no longer asked for: keep the ones of this sample
        for key in [k for k in _STATE.prev_ticks if k[1] not in kernels]:
            del _STATE.prev_ticks[key]
    return kernels, trees


def _walk_children(root, pid):
    """The tree of ``pid`` through children files, or None without them."""
    first = _task_children(root, pid)
    if first is None:
        return None
    return _walk(pid, lambda p: first if p == pid else _task_children(root, p))


def _kernel_entry(root, kid, pid, tree, stats, now):
    """One ``kernels`` entry; ``stats`` is the whole table when it was read.

    CPU is compared with this kernel's previous sample, pid by pid: a pid
    that was not in its tree then (or that is another process now, by its
    start time) started since and counts with all its CPU time.
    """
    prev = _STATE.prev_ticks.get((root, kid))
    old_ticks = prev[2] if prev is not None else {}
    rss = 0
    ticks_delta = 0
    new_ticks = {}
    for p in tree:
        st = stats.get(p) if stats is not None else _proc_stat(root, p)
        if st is None:
            continue
        rss += st[2]
        new_ticks[p] = (st[3], st[1])
        old = old_ticks.get(p)
        if old is None or old[0] != st[3]:
            ticks_delta += st[1]
        elif st[1] >= old[1]:
            ticks_delta += st[1] - old[1]
    cpu = None
    if prev is not None and prev[1] == pid and now > prev[0]:
        cpu = round(100.0 * ticks_delta / _CLK_TCK / (now - prev[0]), 1)
    _STATE.prev_ticks[(root, kid)] = (now, pid, new_ticks)
    cwd = None
    try:
        cwd = os.readlink(_proc(root, str(pid), "cwd"))
    except OSError:
        pass
    return {
        "pid": pid, "pids": tree, "rss_bytes": rss, "cpu_percent": cpu,
        "process_count": len(tree), "gpu_memory_bytes": None,
        "cwd": cwd, "torch_cuda": None,
    }


def _torch_cuda(errors):
    """Memory of torch's CUDA allocator in this process, per device, or None.

    Only when the user's code has already imported torch and initialised
    CUDA: importing it here, or initialising CUDA, would cost seconds and
    GPU memory in the user's kernel. A torch that raises costs its numbers
    (null, reason in ``error``), never the sample.
    """
    torch = sys.modules.get("torch")
    if torch is None:
        return None
    try:
        cuda = torch.cuda
        if not cuda.is_initialized():
            return None
        count = int(cuda.device_count())
    except Exception as e:
        errors.append("torch: %s" % _short(e))
        return None
    out = []
    for i in range(count):
        entry = {"index": i, "memory_allocated_bytes": None,
                 "memory_reserved_bytes": None}
        for key, fn in (("memory_allocated_bytes", "memory_allocated"),
                        ("memory_reserved_bytes", "memory_reserved")):
            try:
                entry[key] = int(getattr(cuda, fn)(i))
            except Exception as e:
                errors.append("torch: %s(%d): %s" % (fn, i, _short(e)))
        out.append(entry)
    return out


def _find_kernel(root, kid, now):
    """The pid of kernel ``kid``: the cached one while its command line
    still names the connection file, else a search of all command lines."""
    needle = ("kernel-%s.json" % kid).encode("utf-8", "surrogateescape")
    key = (root, kid)
    pid = _STATE.kernel_pid.get(key)
    if pid is not None and _cmdline_names(root, pid, needle):
        # a wrapper above it may have appeared in the scan before; keep it
        return pid
    _STATE.kernel_pid.pop(key, None)
    missed = _STATE.kernel_miss.get(key)
    if missed is not None and now - missed < KERNEL_MISS_TTL_S:
        return None
    parents = {}
    for p in _pids(root):
        if _cmdline_names(root, p, needle):
            st = _proc_stat(root, p)
            if st is not None:
                parents[p] = st[0]
    if not parents:
        _STATE.kernel_miss[key] = now
        return None
    _STATE.kernel_miss.pop(key, None)
    # the top-most match: a launcher wrapper that names the same connection
    # file is the root of the tree (its kernel is a child).
    tops = sorted(p for p, ppid in parents.items() if ppid not in parents)
    pid = tops[0] if tops else min(parents)
    _STATE.kernel_pid[key] = pid
    return pid


# --------------------------------------------------------------------------
# GPU records: every reader (NVML, CSV query, XML, table) builds its entries
# here, so that the keys of gpus[] and of their processes (docs/probe.md) are
# declared once and no reader can miss or add one.

def _gpu_record(index, uuid=None, name=None, memory_total_bytes=None,
                memory_used_bytes=None, utilization_gpu_percent=None,
                utilization_memory_percent=None, temperature_c=None,
                power_draw_w=None, power_limit_w=None, mig_enabled=None,
                processes=None):
    return {
        "index": index, "uuid": uuid, "name": name,
        "memory_total_bytes": memory_total_bytes,
        "memory_used_bytes": memory_used_bytes,
        "utilization_gpu_percent": utilization_gpu_percent,
        "utilization_memory_percent": utilization_memory_percent,
        "temperature_c": temperature_c,
        "power_draw_w": power_draw_w, "power_limit_w": power_limit_w,
        "mig_enabled": mig_enabled,
        "processes": [] if processes is None else processes,
    }


def _gpu_process(pid, name=None, used_memory_bytes=None):
    # kernel_id is filled in by _attribute once the kernels' trees are known
    return {"pid": pid, "name": name, "used_memory_bytes": used_memory_bytes,
            "kernel_id": None}


# --------------------------------------------------------------------------
# NVML through ctypes

class _NvmlError(Exception):
    def __init__(self, rc, text):
        Exception.__init__(self, text)
        self.rc = rc


_NVML_SUCCESS = 0
_NVML_ERROR_NOT_SUPPORTED = 3
_NVML_ERROR_INSUFFICIENT_SIZE = 7
_NVML_ERROR_DRIVER_NOT_LOADED = 9
_NVML_ERROR_LIB_RM_VERSION_MISMATCH = 18
_NVML_VALUE_NOT_AVAILABLE = (1 << 64) - 1


class _Nvml(object):
    """A loaded and initialised libnvidia-ml, with the few calls we need."""

    def __init__(self, lib):
        import ctypes
        self.ct = ctypes
        self.lib = lib
        lib.nvmlErrorString.restype = ctypes.c_char_p

        class Memory(ctypes.Structure):
            _fields_ = [("total", ctypes.c_ulonglong),
                        ("free", ctypes.c_ulonglong),
                        ("used", ctypes.c_ulonglong)]

        class Utilization(ctypes.Structure):
            _fields_ = [("gpu", ctypes.c_uint), ("memory", ctypes.c_uint)]

        class ProcV1(ctypes.Structure):
            _fields_ = [("pid", ctypes.c_uint),
                        ("usedGpuMemory", ctypes.c_ulonglong)]

        class ProcV2(ctypes.Structure):
            _fields_ = [("pid", ctypes.c_uint),
                        ("usedGpuMemory", ctypes.c_ulonglong),
                        ("gpuInstanceId", ctypes.c_uint),
                        ("computeInstanceId", ctypes.c_uint)]

        self.Memory, self.Utilization = Memory, Utilization
        self.proc_funcs = {}
        for kind in ("Compute", "Graphics"):
            base = "nvmlDeviceGet%sRunningProcesses" % kind
            for suffix, struct in (("_v3", ProcV2), ("_v2", ProcV2), ("", ProcV1)):
                fn = getattr(lib, base + suffix, None)
                if fn is not None:
                    self.proc_funcs[kind] = (fn, struct)
                    break
        self.proc_capacity = 32
        self.static = {}  # index -> (name, uuid)
        self.count_fn = (getattr(lib, "nvmlDeviceGetCount_v2", None)
                         or lib.nvmlDeviceGetCount)
        self.handle_fn = (getattr(lib, "nvmlDeviceGetHandleByIndex_v2", None)
                          or lib.nvmlDeviceGetHandleByIndex)

    def error_string(self, rc):
        try:
            s = self.lib.nvmlErrorString(rc)
            return s.decode("utf-8", "replace") if s else "error %d" % rc
        except Exception:
            return "error %d" % rc

    def check(self, rc):
        if rc != _NVML_SUCCESS:
            raise _NvmlError(rc, self.error_string(rc))

    def devices(self, root):
        ct = self.ct
        count = ct.c_uint(0)
        self.check(self.count_fn(ct.byref(count)))
        gpus = []
        for i in range(count.value):
            handle = ct.c_void_p()
            self.check(self.handle_fn(ct.c_uint(i), ct.byref(handle)))
            gpus.append(self.device(i, handle, root))
        return gpus

    def _text(self, fn, handle, size=96):
        buf = self.ct.create_string_buffer(size)
        if fn(handle, buf, self.ct.c_uint(size)) != _NVML_SUCCESS:
            return None
        return buf.value.decode("utf-8", "replace")

    def device(self, index, handle, root):
        ct, lib = self.ct, self.lib
        static = self.static.get(index)
        if static is None:
            static = (self._text(lib.nvmlDeviceGetName, handle),
                      self._text(lib.nvmlDeviceGetUUID, handle))
            if static[0] is not None:
                self.static[index] = static
        gpu = _gpu_record(index, uuid=static[1], name=static[0])
        mem = self.Memory()
        if lib.nvmlDeviceGetMemoryInfo(handle, ct.byref(mem)) == _NVML_SUCCESS:
            gpu["memory_total_bytes"] = int(mem.total)
            gpu["memory_used_bytes"] = int(mem.used)
        util = self.Utilization()
        if lib.nvmlDeviceGetUtilizationRates(handle, ct.byref(util)) == _NVML_SUCCESS:
            gpu["utilization_gpu_percent"] = int(util.gpu)
            gpu["utilization_memory_percent"] = int(util.memory)
        value = ct.c_uint(0)
        if lib.nvmlDeviceGetTemperature(handle, ct.c_int(0), ct.byref(value)) == _NVML_SUCCESS:
            gpu["temperature_c"] = int(value.value)
        if lib.nvmlDeviceGetPowerUsage(handle, ct.byref(value)) == _NVML_SUCCESS:
            gpu["power_draw_w"] = value.value / 1000.0
        fn = getattr(lib, "nvmlDeviceGetEnforcedPowerLimit", None)
        if fn is not None and fn(handle, ct.byref(value)) == _NVML_SUCCESS:
            gpu["power_limit_w"] = value.value / 1000.0
        fn = getattr(lib, "nvmlDeviceGetMigMode", None)
        pending = ct.c_uint(0)
        if fn is not None and fn(handle, ct.byref(value), ct.byref(pending)) == _NVML_SUCCESS:
            gpu["mig_enabled"] = bool(value.value)
        procs = {}
        for kind in ("Compute", "Graphics"):
            # a "C+G" process is in both lists: keep it once
            for pid, used in self.processes(kind, handle):
                old = procs.get(pid)
                if pid not in procs or (used is not None and (old is None or used > old)):
                    procs[pid] = used
        for pid in sorted(procs):
            gpu["processes"].append(
                _gpu_process(pid, _process_name(root, pid), procs[pid]))
        return gpu

    def processes(self, kind, handle):
        entry = self.proc_funcs.get(kind)
        if entry is None:
            return []
        fn, struct = entry
        ct = self.ct
        for _ in range(4):
            cap = self.proc_capacity
            buf = (struct * cap)()
            count = ct.c_uint(cap)
            rc = fn(handle, ct.byref(count), buf)
            if rc == _NVML_ERROR_INSUFFICIENT_SIZE:
                self.proc_capacity = max(cap * 2, count.value + 16)
                continue
            if rc != _NVML_SUCCESS:
                return []
            out = []
            for i in range(min(count.value, cap)):
                used = int(buf[i].usedGpuMemory)
                out.append((int(buf[i].pid),
                            None if used == _NVML_VALUE_NOT_AVAILABLE else used))
            return out
        return []


def _nvml_init_worker(result):
    """Load the library and run nvmlInit; in a thread because it may hang."""
    try:
        import ctypes
        path = os.environ.get(NVML_LIB_ENV) or NVML_DEFAULT_LIB
        try:
            lib = ctypes.CDLL(path)
        except OSError as e:
            result.append(("missing", "no NVIDIA driver library (%s) could be "
                           "loaded" % path, str(e)))
            return
        init = getattr(lib, "nvmlInit_v2", None) or getattr(lib, "nvmlInit")
        rc = init()
        if rc != _NVML_SUCCESS:
            text = "error %d" % rc
            try:
                lib.nvmlErrorString.restype = ctypes.c_char_p
                text = lib.nvmlErrorString(rc).decode("utf-8", "replace")
            except Exception:
                pass
            result.append(("init", rc, text))
            return
        result.append(("ok", _Nvml(lib)))
    except Exception as e:
        result.append(("exception", "NVML could not be used: %s" % _short(e)))


def _nvml_message(rc, text):
    if rc == _NVML_ERROR_LIB_RM_VERSION_MISMATCH:
        return "NVIDIA driver/library version mismatch (NVML: %s)" % text
    if rc == _NVML_ERROR_DRIVER_NOT_LOADED:
        return "the NVIDIA driver is not loaded (NVML: %s)" % text
    return "NVML initialisation failed (NVML: %s)" % text


def _nvml_timeout():
    try:
        return float(os.environ.get(NVML_TIMEOUT_ENV, NVML_INIT_TIMEOUT_S))
    except ValueError:
        return NVML_INIT_TIMEOUT_S


def _adopt_nvml(result):
    kind = result[0]
    if kind == "ok":
        _STATE.nvml, _STATE.nvml_error = result[1], None
    elif kind == "missing":
        _STATE.nvml_error = result[1]
        _STATE.nvml_permanent = True
    elif kind == "init":
        _STATE.nvml_error = _nvml_message(result[1], result[2])
        _STATE.nvml_retry_at = time.monotonic() + NVML_RETRY_S
    else:
        _STATE.nvml_error = result[1]
        _STATE.nvml_retry_at = time.monotonic() + NVML_RETRY_S


def _get_nvml():
    """Return (_Nvml or None, error message or None)."""
    if _STATE.nvml is not None:
        return _STATE.nvml, None
    pending = _STATE.nvml_pending
    if pending is not None:
        thread, result, timeout = pending
        if thread.is_alive():
            return None, ("NVML initialisation did not finish within %g s "
                          "(driver hung?); still waiting" % timeout)
        _STATE.nvml_pending = None
        if result:
            _adopt_nvml(result[0])
        return _STATE.nvml, _STATE.nvml_error
    if _STATE.nvml_permanent or (_STATE.nvml_error is not None
                                 and time.monotonic() < _STATE.nvml_retry_at):
        return None, _STATE.nvml_error
    result = []
    thread = threading.Thread(target=_nvml_init_worker, args=(result,),
                              name="gpu-session-nvml-init")
    thread.daemon = True
    thread.start()
    timeout = _nvml_timeout()
    thread.join(timeout)
    if thread.is_alive():
        _STATE.nvml_pending = (thread, result, timeout)
        return None, ("NVML initialisation did not finish within %g s "
                      "(driver hung?)" % timeout)
    if result:
        _adopt_nvml(result[0])
    else:  # pragma: no cover
        _STATE.nvml_error = "NVML initialisation failed"
    return _STATE.nvml, _STATE.nvml_error


def _gpus_nvml(root):
    nvml, err = _get_nvml()
    if nvml is None:
        return None, err
    try:
        gpus = nvml.devices(root)
    except _NvmlError as e:
        return None, "NVML could not read the GPUs (NVML: %s)" % e
    if not gpus:
        return None, "No NVIDIA devices were found"
    return gpus, None


# --------------------------------------------------------------------------
# nvidia-smi

class _SmiFailure(Exception):
    """nvidia-smi cannot help: driver-level failure, stop trying."""


class _SmiUnsupported(Exception):
    """This invocation did not work; another one may."""


_DRIVER_PATTERNS = (
    ("couldn't communicate with the nvidia driver",
     "nvidia-smi could not communicate with the NVIDIA driver "
     "(is the driver installed and loaded?)"),
    ("no devices were found", "No NVIDIA devices were found"),
    ("version mismatch", None),  # message built from the text
    ("failed to initialize nvml", None),
    ("driver is not loaded", "the NVIDIA driver is not loaded"),
    ("unable to determine the device handle", None),
    ("gpu is lost", None),
    ("has fallen off the bus", None),
)


def _smi_run(exe, args):
    """Run nvidia-smi; return stdout text or raise _SmiFailure/_SmiUnsupported."""
    now = time.monotonic()
    if now < _STATE.smi_backoff_until:
        raise _SmiFailure(
            "nvidia-smi did not answer within %g s; next try in %d s"
            % (NVIDIA_SMI_TIMEOUT_S, math.ceil(_STATE.smi_backoff_until - now)))
    for child in list(_STATE.smi_stuck):
        if child.poll() is not None:
            _STATE.smi_stuck.remove(child)
    # look the command up first: a failed fork+exec costs more CPU than the
    # whole rest of a sample on a host without GPUs
    found = shutil.which(exe)
    if found is None:
        where = "on PATH" if os.sep not in exe else "at %s" % exe
        raise _SmiFailure("nvidia-smi was not found %s" % where)
    try:
        child = subprocess.Popen([found] + list(args), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 close_fds=True)
    except FileNotFoundError:
        where = "on PATH" if os.sep not in exe else "at %s" % exe
        raise _SmiFailure("nvidia-smi was not found %s" % where)
    except OSError as e:
        raise _SmiFailure("nvidia-smi could not be run: %s" % _short(e))
    try:
        out, err = child.communicate(timeout=NVIDIA_SMI_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        try:
            child.communicate(timeout=0.5)
        except Exception:
            # stuck in the driver (uninterruptible): reap it later
            _STATE.smi_stuck.append(child)
        _STATE.smi_backoff_until = time.monotonic() + NVIDIA_SMI_BACKOFF_S
        raise _SmiFailure("nvidia-smi did not answer within %g s; next try in "
                          "%d s" % (NVIDIA_SMI_TIMEOUT_S, NVIDIA_SMI_BACKOFF_S))
    text = out.decode("utf-8", "replace")
    etext = err.decode("utf-8", "replace")
    both = (text + "\n" + etext).strip()
    low = both.lower()
    for pattern, message in _DRIVER_PATTERNS:
        if pattern in low:
            first = _short(both.splitlines()[0] if both else pattern)
            if message is None:
                if "version mismatch" in low:
                    message = ("NVIDIA driver/library version mismatch "
                               "(nvidia-smi: %s)" % first)
                else:
                    message = "nvidia-smi could not read the GPUs: %s" % first
            raise _SmiFailure(message)
    if child.returncode == 127 and ("not found" in low or not both):
        where = "on PATH" if os.sep not in exe else "at %s" % exe
        raise _SmiFailure("nvidia-smi was not found %s" % where)
    if child.returncode in (6, 9, 12, 15, 18):
        raise _SmiFailure("nvidia-smi failed with exit code %d: %s"
                          % (child.returncode, _short(both) or "no output"))
    if child.returncode != 0:
        raise _SmiUnsupported("nvidia-smi %s failed with exit code %d: %s"
                              % ((args[0].split("=")[0] if args else "").strip(),
                                 child.returncode,
                                 _short(both) or "no output"))
    return text


def _garbage(text):
    return _SmiFailure("nvidia-smi printed output that could not be parsed: %s"
                       % (_short(text) or "(nothing)"))


def _csv_rows(text):
    """Rows of a --format=csv output as dicts keyed by field name.

    The header names the fields (``memory.total [MiB]``); the unit in brackets
    is kept in ``units``. Returns (rows, units) or None when this is no CSV.
    """
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return None
    reader = csv.reader(io.StringIO("\n".join(lines)), skipinitialspace=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return None
    names, units = [], {}
    for h in header:
        h = h.strip()
        m = re.match(r"^(.*?)\s*\[(.*)\]$", h)
        name = m.group(1) if m else h
        if m:
            units[name] = m.group(2)
        names.append(name)
    rows = []
    # nvidia-smi does not quote: a process name with a comma makes extra
    # columns, which belong to the name
    merge = names.index("process_name") if "process_name" in names else None
    try:
        for values in reader:
            extra = len(values) - len(names)
            if extra > 0 and merge is not None:
                values[merge:merge + extra + 1] = [
                    ", ".join(values[merge:merge + extra + 1])]
            if len(values) != len(names):
                return None
            rows.append(dict(zip(names, [v.strip() for v in values])))
    except csv.Error:
        return None
    return rows, units


def parse_query_gpu_csv(text):
    """Parse ``nvidia-smi --query-gpu=... --format=csv`` into gpu dicts."""
    parsed = _csv_rows(text)
    if parsed is None:
        raise _garbage(text)
    rows, units = parsed
    if "memory.total" not in units and not any(
            "memory.total" == n for n in (rows[0] if rows else {})):
        raise _garbage(text)
    gpus = []
    for pos, row in enumerate(rows):
        def num(field):
            return _number(row.get(field), units.get(field))
        index = num("index")
        limit = num("enforced.power.limit")
        if limit is None:
            limit = num("power.limit")
        gpus.append(_gpu_record(
            index if isinstance(index, int) else pos,
            uuid=_text_or_none(row.get("uuid")),
            name=_text_or_none(row.get("name")),
            memory_total_bytes=_as_int(num("memory.total")),
            memory_used_bytes=_as_int(num("memory.used")),
            utilization_gpu_percent=num("utilization.gpu"),
            utilization_memory_percent=num("utilization.memory"),
            temperature_c=num("temperature.gpu"),
            power_draw_w=_as_float(num("power.draw")),
            power_limit_w=_as_float(limit),
            mig_enabled=_bool_mode(row.get("mig.mode.current")),
        ))
    return gpus


def parse_query_apps_csv(text):
    """Parse ``--query-compute-apps=gpu_uuid,pid,...`` into (uuid, process)."""
    parsed = _csv_rows(text)
    if parsed is None:
        raise _garbage(text)
    rows, units = parsed
    out = []
    for row in rows:
        pid = _number(row.get("pid"))
        if not isinstance(pid, int):
            continue
        used = _number(row.get("used_gpu_memory"),
                       units.get("used_gpu_memory") or "MiB")
        out.append((_text_or_none(row.get("gpu_uuid")), _gpu_process(
            pid, _text_or_none(row.get("process_name")), _as_int(used))))
    return out


def _as_int(v):
    return int(v) if isinstance(v, (int, float)) else None


def _as_float(v):
    return float(v) if isinstance(v, (int, float)) else None


def _text_or_none(v):
    if v is None:
        return None
    v = str(v).strip()
    if not v or v in ("N/A", "[N/A]") or (v.startswith("[") and v.endswith("]")):
        return None
    return v


def parse_xml(text):
    """Parse ``nvidia-smi -q -x`` (DTD v11 to v13 seen) into gpu dicts."""
    import xml.etree.ElementTree as ET
    try:
        root = ET.fromstring(text.encode("utf-8") if isinstance(text, str) else text)
    except ET.ParseError:
        raise _garbage(text)
    if root.tag != "nvidia_smi_log":
        raise _garbage(text)

    def child_text(node, *paths):
        for path in paths:
            el = node.find(path)
            if el is not None and el.text is not None and el.text.strip():
                return el.text.strip()
        return None

    gpus = []
    for pos, g in enumerate(root.findall("gpu")):
        draw = None
        for path in ("power_readings/power_draw",
                     "gpu_power_readings/power_draw",
                     "gpu_power_readings/average_power_draw",
                     "gpu_power_readings/instant_power_draw",
                     "power_readings/average_power_draw",
                     "power_readings/instant_power_draw"):
            draw = _as_float(_number(child_text(g, path)))
            if draw is not None:
                break
        limit = None
        for path in ("power_readings/enforced_power_limit",
                     "gpu_power_readings/enforced_power_limit",
                     "gpu_power_readings/current_power_limit",
                     "power_readings/current_power_limit",
                     "power_readings/power_limit",
                     "gpu_power_readings/power_limit"):
            limit = _as_float(_number(child_text(g, path)))
            if limit is not None:
                break
        procs = {}
        for p in g.findall("processes/process_info"):
            pid = _number(child_text(p, "pid"))
            if not isinstance(pid, int):
                continue
            used = _as_int(_number(child_text(p, "used_memory")))
            if pid in procs:
                old = procs[pid]["used_memory_bytes"]
                if used is not None and (old is None or used > old):
                    procs[pid]["used_memory_bytes"] = used
                continue
            procs[pid] = _gpu_process(
                pid, _text_or_none(child_text(p, "process_name")), used)
        gpus.append(_gpu_record(
            pos,
            uuid=_text_or_none(child_text(g, "uuid")),
            name=_text_or_none(child_text(g, "product_name")),
            memory_total_bytes=_as_int(_number(child_text(g, "fb_memory_usage/total"))),
            memory_used_bytes=_as_int(_number(child_text(g, "fb_memory_usage/used"))),
            utilization_gpu_percent=_number(child_text(g, "utilization/gpu_util")),
            utilization_memory_percent=_number(child_text(g, "utilization/memory_util")),
            temperature_c=_number(child_text(g, "temperature/gpu_temp")),
            power_draw_w=draw,
            power_limit_w=limit,
            mig_enabled=_bool_mode(child_text(g, "mig_mode/current_mig")),
            processes=[procs[k] for k in sorted(procs)],
        ))
    if not gpus:
        # a log without <gpu>: nvidia-smi printed it, so no device answered
        raise _SmiFailure("No NVIDIA devices were found")
    return gpus


_TABLE_GPU_RE = re.compile(r"^\|\s*(\d+)\s+(.*?)\s+(On|Off)\s*\|")
_TABLE_PROC_RE = re.compile(
    r"^\|\s+(\d+)\s+(?:(\S+)\s+(\S+)\s+)?(\d+)\s+([CGM+]+)\s+(.*?)\s+"
    r"(\d+\s*MiB|N/A)\s*\|$")


def parse_table(text):
    """Parse the default ``nvidia-smi`` table (470 and 535 layouts)."""
    lines = text.splitlines()
    gpus = []
    in_procs = False
    by_index = {}
    for i, line in enumerate(lines):
        if "Processes:" in line:
            in_procs = True
            continue
        if not in_procs:
            m = _TABLE_GPU_RE.match(line)
            if m and i + 1 < len(lines):
                nxt = lines[i + 1]
                cols = nxt.split("|")
                # the table has no UUID; the fields below fill in the rest
                gpu = _gpu_record(int(m.group(1)),
                                  name=m.group(2).strip() or None)
                if len(cols) >= 4:
                    t = re.search(r"(\d+)C\b", cols[1])
                    if t:
                        gpu["temperature_c"] = int(t.group(1))
                    p = re.search(r"(\S+)\s*/\s*(\S+)\s*$", cols[1].strip())
                    if p:
                        gpu["power_draw_w"] = _as_float(_number(p.group(1).rstrip("W"), "W"))
                        gpu["power_limit_w"] = _as_float(_number(p.group(2).rstrip("W"), "W"))
                    mm = re.search(r"(\d+)\s*MiB\s*/\s*(\d+)\s*MiB", cols[2])
                    if mm:
                        gpu["memory_used_bytes"] = int(mm.group(1)) * _MIB
                        gpu["memory_total_bytes"] = int(mm.group(2)) * _MIB
                    u = re.search(r"(\d+)\s*%", cols[3])
                    if u:
                        gpu["utilization_gpu_percent"] = int(u.group(1))
                if i + 2 < len(lines):
                    cols3 = lines[i + 2].split("|")
                    if len(cols3) >= 4 and not _TABLE_GPU_RE.match(lines[i + 2]):
                        gpu["mig_enabled"] = _bool_mode(cols3[3].strip())
                gpus.append(gpu)
                by_index[gpu["index"]] = gpu
        else:
            m = _TABLE_PROC_RE.match(line.rstrip())
            if m and int(m.group(1)) in by_index:
                used = m.group(7)
                by_index[int(m.group(1))]["processes"].append(_gpu_process(
                    int(m.group(4)), m.group(6).strip() or None,
                    None if used == "N/A"
                    else int(used.replace("MiB", "").strip()) * _MIB))
    if not gpus:
        raise _garbage(text)
    return gpus


def _gpus_smi(exe):
    """Return (gpus or None, error or None)."""
    try:
        try:
            text = _smi_run(exe, ["--query-gpu=" + QUERY_GPU_FIELDS,
                                  "--format=csv"])
            gpus = parse_query_gpu_csv(text)
            try:
                apps = _smi_run(exe, ["--query-compute-apps=" + QUERY_APPS_FIELDS,
                                      "--format=csv"])
                procs = parse_query_apps_csv(apps)
            except (_SmiUnsupported, _SmiFailure):
                procs = []
            by_uuid = dict((g["uuid"], g) for g in gpus)
            for uuid, proc in procs:
                gpu = by_uuid.get(uuid)
                if gpu is None and len(gpus) == 1:
                    gpu = gpus[0]
                if gpu is not None:
                    gpu["processes"].append(proc)
            return gpus, None
        except _SmiUnsupported as first:
            try:
                return parse_xml(_smi_run(exe, ["-q", "-x"])), None
            except _SmiUnsupported:
                pass
            try:
                return parse_table(_smi_run(exe, [])), None
            except _SmiUnsupported:
                raise _SmiFailure(str(first))
    except _SmiFailure as e:
        return None, str(e)


# --------------------------------------------------------------------------
# platform: which service runs this kernel, and when the runtime ends

# Every variable that detection reads; their values key the cache, so a
# changed environment (tests) is detected again while a kernel's unchanged
# environment costs a handful of dict lookups per sample.
_PLATFORM_ENV = (
    "COLAB_RELEASE_TAG", "COLAB_GPU", "COLAB_JUPYTER_IP",
    "KAGGLE_KERNEL_RUN_TYPE", "KAGGLE_URL_BASE", "KAGGLE_DATA_PROXY_URL",
    "HOME", "USER",
    "PAPERSPACE_NOTEBOOK_REPO_ID", "PAPERSPACE_NOTEBOOK_ID",
    "PAPERSPACE_CLUSTER_ID", "PAPERSPACE_METRIC_WORKLOAD_ID",
    "SLURM_JOB_ID", "SLURM_JOBID", "SLURM_JOB_START_TIME", "SLURM_JOB_END_TIME",
    "JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_USER", "JUPYTERHUB_API_URL",
    "JUPYTERHUB_API_TOKEN", "PATH",
)
_STUDIO_LAB_HOME = "/home/studio-lab-user"
# What Slurm prints for a time it does not know.
_SLURM_NO_TIME = ("unknown", "n/a", "none", "invalid", "")


def _env_marker(environ, names):
    """The first of ``names`` that is set to a non-empty value, or None."""
    for name in names:
        if environ.get(name):
            return name
    return None


def _runtime_started_at(root):
    """Unix time when PID 1 (the container's or machine's init) started.

    /proc/1/stat field 22 is its start in clock ticks after boot; ``btime``
    in /proc/stat is the boot. Falls back to the boot time alone.
    """
    btime = None
    try:
        for line in _read(_proc(root, "stat")).splitlines():
            if line.startswith("btime "):
                btime = int(line.split()[1])
                break
    except (OSError, ValueError, IndexError):
        return None
    if btime is None:
        return None
    try:
        with open(_proc(root, "1", "stat"), "rb") as f:
            data = f.read()
        ticks = int(data[data.rfind(b")") + 2:].split()[19])
        return round(btime + float(ticks) / _CLK_TCK, 2)
    except (OSError, ValueError, IndexError):
        return float(btime)


def _detect(environ, root):
    """(id, name, source) from environment variables and files."""
    def exists(path):
        return os.path.isdir(os.path.join(root, path.lstrip("/")))

    var = _env_marker(environ, ("COLAB_RELEASE_TAG", "COLAB_GPU",
                                "COLAB_JUPYTER_IP"))
    if var:
        return "colab", "Google Colab", "environment variable %s" % var
    var = _env_marker(environ, ("KAGGLE_KERNEL_RUN_TYPE", "KAGGLE_URL_BASE",
                                "KAGGLE_DATA_PROXY_URL"))
    if var:
        return "kaggle", "Kaggle", "environment variable %s" % var
    if exists("/kaggle/input") and exists("/kaggle/working"):
        return "kaggle", "Kaggle", "directories /kaggle/input and /kaggle/working"
    if environ.get("USER") == "studio-lab-user":
        return ("sagemaker-studio-lab", "SageMaker Studio Lab",
                "environment variable USER=studio-lab-user")
    if (environ.get("HOME") or "").rstrip("/") == _STUDIO_LAB_HOME:
        return ("sagemaker-studio-lab", "SageMaker Studio Lab",
                "home directory %s" % _STUDIO_LAB_HOME)
    var = _env_marker(environ, ("PAPERSPACE_NOTEBOOK_REPO_ID",
                                "PAPERSPACE_NOTEBOOK_ID", "PAPERSPACE_CLUSTER_ID",
                                "PAPERSPACE_METRIC_WORKLOAD_ID"))
    if var:
        return "paperspace", "Paperspace Gradient", "environment variable %s" % var
    var = _env_marker(environ, ("SLURM_JOB_ID", "SLURM_JOBID"))
    if var:
        return ("slurm", "Slurm job %s" % environ[var].strip(),
                "environment variable %s" % var)
    var = _env_marker(environ, ("JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_USER",
                                "JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN"))
    if var:
        return "jupyterhub", "JupyterHub", "environment variable %s" % var
    return "generic", "This machine", "no hosted-platform marker found"


def parse_slurm_time(text):
    """Slurm's ``2026-11-27T18:30:00`` (local time) as unix seconds.

    Returns (seconds or None, reason or None): ``Unknown``, ``N/A`` and the
    like are None with a reason.
    """
    t = (text or "").strip()
    if t.lower() in _SLURM_NO_TIME:
        return None, "Slurm printed %r" % (t or "nothing")
    try:
        return float(time.mktime(time.strptime(t, "%Y-%m-%dT%H:%M:%S"))), None
    except (ValueError, OverflowError):
        return None, "unreadable time %r" % _short(t, 60)


def _slurm_run(environ, args):
    """Run a Slurm command; (stdout text or None, error or None)."""
    exe = shutil.which(args[0], path=environ.get("PATH") or os.defpath)
    if exe is None:
        return None, "%s was not found on PATH" % args[0]
    env = dict(environ)
    # the ISO-like format parse_slurm_time reads, whatever the user chose
    env["SLURM_TIME_FORMAT"] = "standard"
    try:
        child = subprocess.Popen([exe] + list(args[1:]), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                 env=env)
    except OSError as e:
        return None, "%s could not be run: %s" % (args[0], _short(e))
    try:
        out, err = child.communicate(timeout=SLURM_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        child.kill()
        try:
            child.communicate(timeout=1.0)
        except subprocess.TimeoutExpired:  # pragma: no cover - unkillable
            pass
        return None, "%s did not answer within %g s" % (args[0], SLURM_TIMEOUT_S)
    out = out.decode("utf-8", "replace")
    if child.returncode != 0:
        msg = (err.decode("utf-8", "replace").strip() or out.strip()
               or "no output")
        return None, "%s failed with exit code %d: %s" % (
            args[0], child.returncode, _short(msg, 120))
    return out, None


def _slurm_times(environ, job):
    """(start, end, source text, note or None) from squeue, then scontrol."""
    notes = []
    out, err = _slurm_run(environ, ["squeue", "-h", "-j", job, "-o", "%S %e"])
    if out is not None:
        parts = out.split()
        if len(parts) == 2:
            start, _ = parse_slurm_time(parts[0])
            end, why = parse_slurm_time(parts[1])
            if end is not None:
                return start, end, "squeue", None
            notes.append("squeue: %s" % why)
        else:
            notes.append("squeue printed %r" % _short(out.strip() or "nothing", 80))
    else:
        notes.append(err)
    out, err = _slurm_run(environ, ["scontrol", "show", "job", job])
    if out is not None:
        fields = dict(m.groups() for m in re.finditer(r"(\w+)=(\S*)", out))
        if "EndTime" in fields:
            start, _ = parse_slurm_time(fields.get("StartTime"))
            end, why = parse_slurm_time(fields["EndTime"])
            if end is not None:
                return start, end, "scontrol", "; ".join(notes) or None
            notes.append("scontrol: %s" % why)
            return start, None, None, "; ".join(notes)
        notes.append("scontrol printed no EndTime")
    else:
        notes.append(err)
    # Slurm 23.02+ also exports the times into the job's environment; they
    # are not updated when the job's time limit changes, so they come last.
    end = _int_or_none(environ.get("SLURM_JOB_END_TIME"))
    start = _int_or_none(environ.get("SLURM_JOB_START_TIME"))
    if end:
        return (float(start) if start else None), float(end), \
            "environment variable SLURM_JOB_END_TIME", "; ".join(notes)
    return None, None, None, "; ".join(notes)


def detect_platform(environ=None, root="/"):
    """The platform this process runs on (see docs/platforms.md).

    ``environ`` defaults to ``os.environ``. Detection is cached per
    environment; Slurm's end time is asked again at most every
    ``SLURM_REQUERY_S`` seconds (jobs can be extended).
    """
    environ = os.environ if environ is None else environ
    root = root or "/"
    sig = (root,) + tuple(environ.get(n) for n in _PLATFORM_ENV)
    base = _STATE.platform.get(sig)
    if base is None:
        if len(_STATE.platform) > 16:
            _STATE.platform.clear()
            _STATE.slurm.clear()
        pid, name, source = _detect(environ, root)
        base = {"id": pid, "name": name, "source": source,
                "runtime_started_at": _runtime_started_at(root),
                "deadline_at": None, "idle_timeout_s": None}
        _STATE.platform[sig] = base
    info = dict(base)
    if info["id"] == "slurm":
        job = (environ.get("SLURM_JOB_ID") or environ.get("SLURM_JOBID")).strip()
        now = time.monotonic()
        cached = _STATE.slurm.get(sig)
        if cached is None or now >= cached[0]:
            cached = (now + SLURM_REQUERY_S, _slurm_times(environ, job))
            _STATE.slurm[sig] = cached
        start, end, how, note = cached[1]
        if start is not None:
            info["runtime_started_at"] = start
        info["deadline_at"] = end
        if end is None:
            info["source"] += "; end time unknown (%s)" % (note or "no answer")
        else:
            info["source"] += "; end time from %s" % how
            if note:
                info["source"] += " (%s)" % note
    return info


# --------------------------------------------------------------------------
# checkpoints: the newest file matching the user's patterns

class _TooMany(Exception):
    pass


def _has_magic(part):
    return any(c in part for c in "*?[")


def _glob(base, parts, counter):
    """Paths under ``base`` matching the pattern segments ``parts``.

    Like glob with recursive ``**``: wildcards skip names that start with a
    dot unless the segment does too, and ``**`` does not follow symbolic
    links to directories. Each directory entry looked at counts against
    ``counter`` ([entries left]); _TooMany when it runs out.
    """
    if not parts:
        yield base
        return
    head, rest = parts[0], parts[1:]
    if head == "**":
        for path in _glob(base, rest, counter):
            yield path
        for entry in _scandir(base, counter):
            if entry.name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                for path in _glob(entry.path, parts, counter):
                    yield path
    elif not _has_magic(head):
        path = os.path.join(base, head)
        if rest:
            if os.path.isdir(path):
                for p in _glob(path, rest, counter):
                    yield p
        elif os.path.lexists(path):
            yield path
    else:
        hidden_ok = head.startswith(".")
        for entry in _scandir(base, counter):
            if entry.name.startswith(".") and not hidden_ok:
                continue
            if not fnmatch.fnmatchcase(entry.name, head):
                continue
            if rest:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    continue
                if is_dir:
                    for p in _glob(entry.path, rest, counter):
                        yield p
            else:
                yield entry.path


def _scandir(path, counter):
    try:
        it = os.scandir(path or ".")
    except OSError:
        return  # unreadable or missing: nothing matches there
    with it:
        while True:
            try:
                entry = next(it)
            except StopIteration:
                return
            except OSError:
                return
            counter[0] -= 1
            if counter[0] < 0:
                raise _TooMany()
            yield entry


def _split_pattern(pattern):
    """(base directory, [segments]) with the non-wildcard prefix as base."""
    path = os.path.expanduser(pattern)
    if os.path.isabs(path):
        base = os.sep
        parts = [p for p in path.split(os.sep) if p]
    else:
        base = os.getcwd()
        parts = [p for p in path.split(os.sep) if p and p != "."]
    while parts and len(parts) > 1 and not _has_magic(parts[0]):
        base = os.path.join(base, parts.pop(0))
    return base, parts


def checkpoint_report(patterns, max_entries=None):
    """The newest regular file matching any of ``patterns`` (see docs)."""
    if isinstance(patterns, str):
        patterns = [patterns]
    patterns = [str(p) for p in patterns if str(p).strip()]
    out = {"patterns": patterns, "newest_path": None, "newest_mtime": None,
           "newest_size_bytes": None, "matched": 0, "loops": [], "error": None}
    limit = CHECKPOINT_MAX_ENTRIES if max_entries is None else max_entries
    counter = [limit]
    seen = set()
    best = None
    errors = []
    for pattern in patterns:
        try:
            base, parts = _split_pattern(pattern)
            if not parts:
                continue
            for path in _glob(base, parts, counter):
                if path in seen:
                    continue
                seen.add(path)
                try:
                    st = os.stat(path)
                except OSError:
                    continue  # dangling link, vanished, no permission
                if not _stat.S_ISREG(st.st_mode):
                    continue
                out["matched"] += 1
                if best is None or st.st_mtime > best[1]:
                    best = (path, st.st_mtime, st.st_size)
        except _TooMany:
            errors.append(
                "stopped after looking at %d directory entries; the newest "
                "file may be missing (use a narrower pattern)" % limit)
            break
        except Exception as e:
            errors.append("%s: %s" % (pattern, _short(e)))
    if best is not None:
        out["newest_path"] = os.path.abspath(best[0])
        out["newest_mtime"] = best[1]
        out["newest_size_bytes"] = best[2]
    if not any(e.startswith("stopped after") for e in errors):
        try:  # a capped search has no entries left for this
            out["loops"] = checkpoint_loops(patterns, counter)
        except _TooMany:
            errors.append("stopped after looking at %d directory entries while "
                          "looking for training loops" % limit)
    if errors:
        out["error"] = "; ".join(errors)
    return out


# --------------------------------------------------------------------------
# checkpoint requests: the extension asks, the training loop's
# CheckpointKeeper (jupyterlab_gpu_session/checkpoint.py) saves at its next
# step. Both sides meet in two files beside the checkpoints; see
# docs/checkpoints.md. The names must match checkpoint.py's.

CHECKPOINT_REQUEST_NAME = ".gpu-session-checkpoint-request"
CHECKPOINT_STATUS_NAME = ".gpu-session-checkpoint-status.json"
#: A loop whose heartbeat is older than this (or than three of its steps plus
#: a heartbeat interval, when its steps are long) is reported "stale".
CHECKPOINT_HEARTBEAT_STALE_S = 90.0
#: Most training-loop folders reported per sample.
CHECKPOINT_MAX_LOOPS = 16


def _loop_folders(patterns, counter):
    """Folders that the patterns' folder parts match and that hold a status
    or request file, in pattern order."""
    found = []
    for pattern in patterns:
        base, parts = _split_pattern(pattern)
        if not parts:
            continue
        for name in (CHECKPOINT_STATUS_NAME, CHECKPOINT_REQUEST_NAME):
            for path in _glob(base, parts[:-1] + [name], counter):
                folder = os.path.abspath(os.path.dirname(path))
                if folder not in found:
                    found.append(folder)
    return found


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # another user's process, or not ours to judge
    return True


def _json_file(path):
    """(object, None), (None, None) when missing, (None, why) when unreadable."""
    try:
        with open(path, "r") as f:
            text = f.read(1 << 20)
    except FileNotFoundError:
        return None, None
    except (OSError, ValueError) as e:
        return None, "%s could not be read: %s" % (path, _short(e))
    try:
        value = json.loads(text)
    except ValueError:
        return None, "%s is not JSON: %s" % (path, _short(text, 80))
    if not isinstance(value, dict):
        return None, "%s is not a JSON object" % path
    return value, None


def _loop_state(status, now):
    """"running", "stale", "stopped" or "exited" for a status record."""
    if status.get("stopped_at") is not None:
        return "stopped"
    pid = status.get("pid")
    if (status.get("hostname") == socket.gethostname() and isinstance(pid, int)
            and not _pid_alive(pid)):
        return "exited"
    beat = _num(status.get("heartbeat_at"))
    every = _num(status.get("heartbeat_every_s")) or 30.0
    step = _num(status.get("step_seconds")) or 0.0
    limit = max(CHECKPOINT_HEARTBEAT_STALE_S, 3 * step + every)
    return "running" if beat is not None and now - beat <= limit else "stale"


def _num(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _loop_report(folder, now):
    status, error = _json_file(os.path.join(folder, CHECKPOINT_STATUS_NAME))
    pending, perr = _json_file(os.path.join(folder, CHECKPOINT_REQUEST_NAME))
    errors = [e for e in (error, perr) if e]
    out = {"directory": folder, "state": "none", "pid": None, "hostname": None,
           "heartbeat_at": None, "heartbeat_age_s": None, "step": None,
           "step_seconds": None, "every_s": None, "signals": [], "stopping": None,
           "request": None, "last_save": None, "last_error": None,
           "pending_request": None, "error": "; ".join(errors) or None}
    if pending is not None:
        out["pending_request"] = dict(
            (k, pending.get(k)) for k in ("id", "requested_at", "reason", "save_by"))
    elif perr and os.path.exists(os.path.join(folder, CHECKPOINT_REQUEST_NAME)):
        out["pending_request"] = {"id": None, "requested_at": None,
                                  "reason": None, "save_by": None}
    if status is None:
        return out
    for key in ("pid", "hostname", "heartbeat_at", "step", "step_seconds", "every_s",
                "signals", "stopping", "request", "last_save", "last_error"):
        if key in status:
            out[key] = status[key]
    out["state"] = _loop_state(status, now)
    beat = _num(status.get("heartbeat_at"))
    if beat is not None:
        out["heartbeat_age_s"] = round(max(0.0, now - beat), 3)
    return out


def checkpoint_loops(patterns, counter=None):
    """The training loops (CheckpointKeeper status records and pending
    requests) in the folders of ``patterns``; see docs/probe.md."""
    if isinstance(patterns, str):
        patterns = [patterns]
    counter = [CHECKPOINT_MAX_ENTRIES] if counter is None else counter
    now = time.time()
    folders = _loop_folders([str(p) for p in patterns if str(p).strip()], counter)
    return [_loop_report(f, now) for f in folders[:CHECKPOINT_MAX_LOOPS]]


def _request_error(folder, error):
    """A sentence for why a request could not be written into ``folder``."""
    if isinstance(error, FileNotFoundError):
        return "the folder %s does not exist" % folder
    if isinstance(error, NotADirectoryError):
        return "%s is not a folder" % folder
    if isinstance(error, PermissionError):
        return "no permission to write into %s" % folder
    if getattr(error, "errno", None) == 30:  # EROFS
        return "%s is on a read-only file system" % folder
    return "the request could not be written into %s: %s" % (
        folder, getattr(error, "strerror", None) or _short(error))


def _write_request(folder, record):
    if not os.path.isdir(folder):
        raise (NotADirectoryError if os.path.exists(folder) else FileNotFoundError)()
    target = os.path.join(folder, CHECKPOINT_REQUEST_NAME)
    fd, partial = tempfile.mkstemp(prefix=CHECKPOINT_REQUEST_NAME + ".",
                                   suffix=".partial", dir=folder)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(record, f)
        os.replace(partial, target)  # the loop never reads half a request
    except BaseException:
        try:
            os.remove(partial)
        except OSError:
            pass
        raise
    return target


def request_checkpoint(directories, reason, save_by=None, request_id=None):
    """Ask the training loops in ``directories`` for a checkpoint at their
    next step (see docs/checkpoints.md).

    ``save_by``: Unix time by which the save must be finished (the session's
    end), or None for "now". Returns ``{"id", "requested_at", "directories":
    {folder: {"ok", "path", "error"}}}``; never raises for a folder.
    """
    if isinstance(directories, str):
        directories = [directories]
    record = {"version": 1, "id": request_id or uuid.uuid4().hex,
              "requested_at": time.time(), "reason": str(reason or ""),
              "save_by": None if save_by is None else float(save_by)}
    out = {"id": record["id"], "requested_at": record["requested_at"],
           "directories": {}}
    for folder in directories:
        folder = os.path.abspath(os.path.expanduser(str(folder)))
        entry = {"ok": False, "path": None, "error": None}
        try:
            entry["path"] = _write_request(folder, record)
            entry["ok"] = True
        except Exception as e:
            entry["error"] = _request_error(folder, e)
        out["directories"][folder] = entry
    return out


def request_checkpoint_b64(directories, reason, save_by=None, request_id=None):
    """request_checkpoint as base64 of its UTF-8 JSON (repr-proof); never raises."""
    try:
        result = request_checkpoint(directories, reason, save_by, request_id)
    except Exception as e:
        result = {"id": None, "requested_at": time.time(), "directories": {},
                  "error": "request failed: %s: %s" % (type(e).__name__, _short(e))}
    return base64.b64encode(_dumps(result).encode("utf-8")).decode("ascii")


# --------------------------------------------------------------------------
# cloud interruption notices: a spot / preemptible VM about to be reclaimed.
# The cloud is recognised from DMI (no network); only there is its metadata
# service asked, from a thread, so that a slow or hung service never holds a
# sample up longer than METADATA_TIMEOUT_S. See docs/probe.md.

#: Tests only: the metadata service's base URL instead of 169.254.169.254.
METADATA_URL_ENV = "JUPYTERLAB_GPU_SESSION_METADATA_URL"
METADATA_DEFAULT_URL = "http://169.254.169.254"
#: Seconds one metadata request may take, and the most a sample waits.
METADATA_TIMEOUT_S = 0.2
#: Seconds between two questions to the metadata service (AWS recommends
#: looking every 5 s; its notice comes two minutes ahead).
METADATA_POLL_S = 5.0
#: A preempted Compute Engine spot VM gets this long between the notice
#: (ACPI soft off) and the hard stop.
GCP_PREEMPT_NOTICE_S = 30.0
_AZURE_ASSET_TAG = "7783-7084-3265-9085-8269-3286-77"
_AWS_TOKEN_TTL_S = 21600


class _MetadataError(Exception):
    pass


class _CloudState(object):
    """What the interruption poller keeps between samples (own lock: the
    poll thread must not wait for a sample, nor a sample for the thread)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.cloud = {}      # root -> "aws" | "gcp" | "azure" | None
        self.next_poll = {}  # (cloud, base) -> time.monotonic() of the next poll
        self.running = {}    # (cloud, base) -> (thread, result box)
        self.result = {}     # (cloud, base) -> the last reported object
        self.aws_token = {}  # base -> (token, monotonic expiry)
        self.gcp_seen = {}   # base -> Unix time "preempted" first read TRUE


_CLOUD = _CloudState()


def detect_cloud(root="/"):
    """"aws", "gcp", "azure" or None, from /sys/class/dmi/id (under root)."""
    root = root or "/"
    if root in _CLOUD.cloud:
        return _CLOUD.cloud[root]

    def dmi(name):
        text = _read_or_none(os.path.join(root, "sys", "class", "dmi", "id", name))
        return (text or "").strip()
    vendor, product = dmi("sys_vendor"), dmi("product_name")
    cloud = None
    if vendor == "Amazon EC2" or product.startswith("Amazon EC2") or \
            "amazon" in dmi("bios_version").lower():  # older Xen instances
        cloud = "aws"
    elif vendor == "Google" or product == "Google Compute Engine":
        cloud = "gcp"
    elif dmi("chassis_asset_tag") == _AZURE_ASSET_TAG:
        cloud = "azure"
    _CLOUD.cloud[root] = cloud
    return cloud


def _metadata_get(url, headers, method="GET"):
    """(status, body bytes); _MetadataError for no answer or not HTTP."""
    import urllib.error
    import urllib.request
    # link-local addresses must never go through an HTTP proxy from the
    # environment; an empty ProxyHandler turns them off
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with opener.open(request, timeout=METADATA_TIMEOUT_S) as answer:
            return answer.status, answer.read(65536)
    except urllib.error.HTTPError as e:
        return e.code, b""
    except urllib.error.URLError as e:
        if isinstance(e.reason, socket.timeout):
            raise _MetadataError("did not answer within %g s (%s)" % (
                METADATA_TIMEOUT_S, url))
        raise _MetadataError("could not be reached (%s: %s)" % (url, _short(e.reason)))
    except socket.timeout:
        raise _MetadataError("did not answer within %g s (%s)" % (
            METADATA_TIMEOUT_S, url))
    except Exception as e:  # garbage that is not HTTP, a reset connection
        raise _MetadataError("gave an answer that is not HTTP (%s: %s: %s)" % (
            url, type(e).__name__, _short(e)))


def _iso_utc(text):
    return float(calendar.timegm(time.strptime(text, "%Y-%m-%dT%H:%M:%SZ")))


def _poll_aws(base):
    """(kind, deadline_at, detail) from the spot instance-action (IMDSv2)."""
    token, expires = _CLOUD.aws_token.get(base, (None, 0.0))
    if token is None or time.monotonic() >= expires:
        try:
            status, body = _metadata_get(
                base + "/latest/api/token",
                {"X-aws-ec2-metadata-token-ttl-seconds": str(_AWS_TOKEN_TTL_S)}, "PUT")
        except _MetadataError:
            # e.g. a container behind a hop limit of 1 never gets the PUT's
            # answer; IMDSv1 (no token) may still work, so try it below
            status, body = None, b""
        token = body.decode("ascii", "replace").strip() if status == 200 else None
        if token:  # refreshed well before the service forgets it
            _CLOUD.aws_token[base] = (token, time.monotonic() + _AWS_TOKEN_TTL_S / 2)
    url = base + "/latest/meta-data/spot/instance-action"
    status, body = _metadata_get(url, {"X-aws-ec2-metadata-token": token} if token else {})
    if status == 401:
        _CLOUD.aws_token.pop(base, None)
        raise _MetadataError("refused the session token (%s); a new one is asked next time" % url)
    if status == 404:
        return None, None, None
    if status != 200:
        raise _MetadataError("answered HTTP %d (%s)" % (status, url))
    try:
        notice = json.loads(body.decode("utf-8"))
        action, when = str(notice["action"]), str(notice["time"])
        deadline = _iso_utc(when)
    except Exception:
        raise _MetadataError("gave a spot/instance-action that could not be parsed: %s"
                             % _short(body.decode("utf-8", "replace"), 120))
    return ("spot-" + action.lower(), deadline,
            "spot instance-action %s at %s" % (action, when))


def _poll_gcp(base):
    """(kind, deadline_at, detail) from instance/preempted and maintenance-event."""
    headers = {"Metadata-Flavor": "Google"}
    answers = {}
    for name in ("preempted", "maintenance-event"):
        url = base + "/computeMetadata/v1/instance/" + name
        status, body = _metadata_get(url, headers)
        if status != 200:
            raise _MetadataError("answered HTTP %d (%s)" % (status, url))
        answers[name] = body.decode("utf-8", "replace").strip()
    preempted, event = answers["preempted"], answers["maintenance-event"]
    if preempted not in ("TRUE", "FALSE") or not re.match(r"^[A-Z_]+$", event):
        raise _MetadataError("gave answers that could not be parsed: preempted=%r, "
                             "maintenance-event=%r" % (_short(preempted, 60),
                                                       _short(event, 60)))
    if preempted == "TRUE":
        seen = _CLOUD.gcp_seen.setdefault(base, time.time())
        return ("preempted", seen + GCP_PREEMPT_NOTICE_S,
                "instance/preempted is TRUE (the VM stops about %d s after the notice)"
                % GCP_PREEMPT_NOTICE_S)
    _CLOUD.gcp_seen.pop(base, None)
    if event.startswith("TERMINATE"):
        return ("maintenance-terminate", None, "maintenance-event " + event)
    # NONE, or a live migration: the VM keeps running
    return None, None, (None if event == "NONE" else "maintenance-event " + event)


def _poll_azure(base):
    """(kind, deadline_at, detail) from Scheduled Events (Preempt, Terminate)."""
    import email.utils
    url = base + "/metadata/scheduledevents?api-version=2020-07-01"
    status, body = _metadata_get(url, {"Metadata": "true"})
    if status != 200:
        raise _MetadataError("answered HTTP %d (%s)" % (status, url))
    try:
        events = json.loads(body.decode("utf-8"))["Events"]
        found = []
        for event in events:
            kind = str(event.get("EventType", ""))
            if kind not in ("Preempt", "Terminate"):
                continue
            not_before = str(event.get("NotBefore") or "")
            deadline = (email.utils.parsedate_to_datetime(not_before).timestamp()
                        if not_before else None)
            found.append((deadline is None, deadline or 0.0, kind, not_before,
                          event.get("EventStatus")))
    except Exception:
        raise _MetadataError("gave scheduled events that could not be parsed: %s"
                             % _short(body.decode("utf-8", "replace"), 120))
    if not found:
        return None, None, None
    found.sort()  # the soonest known deadline first
    _, deadline, kind, not_before, state = found[0]
    return (kind.lower(), None if not not_before else deadline,
            "scheduled event %s (%s)%s" % (kind, state,
                                           ", not before " + not_before if not_before else ""))


_POLLERS = {"aws": _poll_aws, "gcp": _poll_gcp, "azure": _poll_azure}
_CLOUD_NAMES = {"aws": "AWS", "gcp": "Google Cloud", "azure": "Azure"}


def _poll_cloud(cloud, base, box):
    out = {"cloud": cloud, "kind": None, "deadline_at": None, "detail": None,
           "error": None, "checked_at": None}
    try:
        out["kind"], out["deadline_at"], out["detail"] = _POLLERS[cloud](base)
        out["checked_at"] = time.time()
    except _MetadataError as e:
        out["error"] = "the %s metadata service %s" % (_CLOUD_NAMES[cloud], e)
    except Exception as e:
        out["error"] = "%s interruption check failed: %s: %s" % (
            _CLOUD_NAMES[cloud], type(e).__name__, _short(e))
    box.append(out)


def _adopt(key, new):
    """The result to report: an error keeps the notice seen before (a VM
    being reclaimed does not stop being reclaimed because one answer broke)."""
    old = _CLOUD.result.get(key)
    if new["error"] and old is not None and old["kind"] is not None:
        new = dict(old, error=new["error"])
    _CLOUD.result[key] = new
    return new


def interruption_notice(root="/", environ=None, wait_s=None):
    """The cloud's interruption notice for this VM (see docs/probe.md), or
    None when this is not an AWS, Google Cloud or Azure VM.

    Waits at most ``wait_s`` (default METADATA_TIMEOUT_S) for an answer;
    between polls (METADATA_POLL_S) the last answer is returned at once.
    """
    cloud = detect_cloud(root)
    if cloud is None:
        return None
    environ = os.environ if environ is None else environ
    base = (environ.get(METADATA_URL_ENV) or METADATA_DEFAULT_URL).rstrip("/")
    key = (cloud, base)
    with _CLOUD.lock:
        running = _CLOUD.running.get(key)
        if running is None and time.monotonic() >= _CLOUD.next_poll.get(key, 0.0):
            _CLOUD.next_poll[key] = time.monotonic() + METADATA_POLL_S
            box = []
            thread = threading.Thread(target=_poll_cloud, args=(cloud, base, box),
                                      name="gpu-session-metadata")
            thread.daemon = True
            thread.start()
            running = _CLOUD.running[key] = (thread, box)
    if running is not None:
        running[0].join(METADATA_TIMEOUT_S if wait_s is None else wait_s)
        with _CLOUD.lock:
            if running[1]:
                _CLOUD.running.pop(key, None)
                return dict(_adopt(key, running[1][0]))
    last = _CLOUD.result.get(key)
    if running is not None:
        waiting = "the %s metadata service has not answered yet (waited %g s)" % (
            _CLOUD_NAMES[cloud], METADATA_TIMEOUT_S if wait_s is None else wait_s)
        if last is None:
            return {"cloud": cloud, "kind": None, "deadline_at": None, "detail": None,
                    "error": waiting, "checked_at": None}
    return dict(last) if last is not None else None


# --------------------------------------------------------------------------
# the sample

def _gpus(gpu_source, nvidia_smi, root):
    """Return (gpus, source, error)."""
    errors = []
    if gpu_source in ("auto", "nvml"):
        gpus, err = _gpus_nvml(root)
        if gpus is not None:
            return gpus, "nvml", None
        errors.append(err)
        if gpu_source == "nvml" or err == "No NVIDIA devices were found":
            return [], None, err
    if gpu_source in ("auto", "nvidia-smi"):
        gpus, err = _gpus_smi(nvidia_smi)
        if gpus is not None:
            return gpus, "nvidia-smi", None
        errors.insert(0, err)
        return [], None, "; ".join(e for e in errors if e)
    return [], None, "unknown gpu_source %r (use auto, nvml or nvidia-smi)" % (
        gpu_source,)


#: Most parents followed up from a GPU process to find its kernel.
_MAX_PARENT_CHAIN = 64


def _gpu_owner(root, pid, owner):
    """(visible, kernel id or None) of GPU process ``pid``.

    Walks up its parents through /proc/PID/stat until one is in a kernel's
    tree: a handful of reads per GPU process, however many processes the
    host runs, and right also for a process started after the trees were
    read. ``visible``: the pid exists in this /proc at all.
    """
    p = pid
    for step in range(_MAX_PARENT_CHAIN):
        if p in owner:
            return True, owner[p]
        st = _proc_stat(root, p)
        if st is None:
            return step > 0, None
        if st[0] <= 0:
            return True, None
        p = st[0]
    return True, None


def _attribute(gpus, kernels, trees, root):
    owner = {}
    for kid, tree in trees.items():
        for pid in tree:
            owner.setdefault(pid, kid)
    found = {}
    for gpu in gpus:
        for proc in gpu["processes"]:
            pid = proc["pid"]
            if pid not in found:
                found[pid] = _gpu_owner(root, pid, owner) if owner else (
                    False, None)
            proc["kernel_id"] = found[pid][1]
    visible = any(v for v, _ in found.values())
    for kid, info in kernels.items():
        if info is None:
            continue
        if not gpus or (found and not visible):
            info["gpu_memory_bytes"] = None
            continue
        total = 0
        for gpu in gpus:
            for proc in gpu["processes"]:
                if proc["kernel_id"] == kid:
                    if proc["used_memory_bytes"] is None:
                        total = None
                        break
                    total += proc["used_memory_bytes"]
            if total is None:
                break
        info["gpu_memory_bytes"] = total


def sample(kernel_ids=(), disks=None, gpu_source="auto",
           nvidia_smi="nvidia-smi", root="/", checkpoint_globs=None,
           self_kernel_id=None, checkpoint_request=None):
    """Gather one sample and return it as a dict (see docs/probe.md).

    ``checkpoint_request``: ``{"id", "directories", "reason", "save_by"}``, a
    checkpoint request to write before the sample is taken (so its
    ``checkpoint.loops`` already show it pending); what writing it gave is
    the sample's ``checkpoint_request_result``.

    ``self_kernel_id``: the id of the kernel this code runs in (a subshell
    of the notebook's own kernel); it is reported too, without a search.
    """
    start = time.perf_counter()
    root = root or "/"
    if isinstance(kernel_ids, str):
        kernel_ids = [kernel_ids]
    kernel_ids = [str(k) for k in (kernel_ids or ())]
    errors = []
    out = {
        "schema_version": PROBE_SCHEMA_VERSION,
        "timestamp": time.time(),
        "probe_duration_ms": None,
        "probe_pid": os.getpid(),
        "gpu_source": None,
        "gpu_error": None,
        "gpus": [],
        "host": None,
        "kernels": {},
        "platform": None,
        "checkpoint": None,
        "interruption": None,
        "checkpoint_request_result": None,
        "error": None,
    }
    if checkpoint_request:
        try:
            req = dict(checkpoint_request)
            out["checkpoint_request_result"] = request_checkpoint(
                req.get("directories") or [], req.get("reason") or "",
                save_by=req.get("save_by"), request_id=req.get("id"))
        except Exception as e:
            errors.append("checkpoint request: %s" % _short(e))
    with _STATE.lock:
        try:
            out["platform"] = detect_platform(os.environ, root)
        except Exception as e:
            errors.append("platform: %s" % _short(e))
        try:
            out["host"] = _host(root, errors)
        except Exception as e:
            errors.append("host: %s" % _short(e))
        kernels, trees = {}, {}
        try:
            kernels, trees = _kernels(root, kernel_ids, errors,
                                      self_kernel_id)
        except Exception as e:
            errors.append("kernels: %s" % _short(e))
            kernels = dict((k, None) for k in kernel_ids)
        out["kernels"] = kernels
        try:
            gpus, source, gerr = _gpus(gpu_source, nvidia_smi, root)
            out["gpus"], out["gpu_source"], out["gpu_error"] = gpus, source, gerr
        except Exception as e:
            out["gpu_error"] = "GPUs could not be read: %s" % _short(e)
            errors.append("gpus: %s" % _short(e))
        try:
            _attribute(out["gpus"], kernels, trees, root)
        except Exception as e:
            errors.append("gpu attribution: %s" % _short(e))
        try:
            if disks is None:
                paths = [info["cwd"] for info in kernels.values()
                         if info and info.get("cwd")]
                paths.append(os.path.expanduser("~"))
            else:
                paths = [str(d) for d in disks]
            seen = set()
            entries = []
            for p in paths:
                if p in seen:
                    continue
                seen.add(p)
                entries.append(_disk(p))
            if out["host"] is not None:
                out["host"]["disks"] = entries
        except Exception as e:
            errors.append("disks: %s" % _short(e))
    if checkpoint_globs:
        try:
            out["checkpoint"] = checkpoint_report(checkpoint_globs)
        except Exception as e:
            errors.append("checkpoint: %s" % _short(e))
    try:
        out["interruption"] = interruption_notice(root)
    except Exception as e:
        errors.append("interruption: %s" % _short(e))
    if errors:
        out["error"] = "; ".join(errors)
    out["probe_duration_ms"] = round((time.perf_counter() - start) * 1000.0, 3)
    return out


def _fallback(exc):
    return {
        "schema_version": PROBE_SCHEMA_VERSION, "timestamp": time.time(),
        "probe_duration_ms": None, "probe_pid": os.getpid(),
        "gpu_source": None, "gpu_error": None, "gpus": [], "host": None,
        "kernels": {}, "platform": None, "checkpoint": None, "interruption": None,
        "checkpoint_request_result": None,
        "error": "probe failed: %s: %s" % (type(exc).__name__,
                                                          _short(exc)),
    }


def sample_json(kernel_ids=(), disks=None, gpu_source="auto",
                nvidia_smi="nvidia-smi", root="/", checkpoint_globs=None,
                self_kernel_id=None, checkpoint_request=None):
    """One sample as compact JSON text; never raises."""
    try:
        return _dumps(sample(kernel_ids, disks, gpu_source, nvidia_smi, root,
                             checkpoint_globs, self_kernel_id,
                             checkpoint_request))
    except Exception as e:
        return _dumps(_fallback(e))


class _QuickSwitch(object):
    """Shortens the GIL switch interval while samples run (see
    SAMPLE_SWITCH_INTERVAL_S), then puts back what was there, unless
    someone (the user's code) changed it meanwhile. Samples may overlap
    (a monitor kernel's threads), hence the count."""

    def __init__(self):
        self.lock = threading.Lock()
        self.depth = 0
        self.saved = None

    def __enter__(self):
        with self.lock:
            if self.depth == 0:
                before = sys.getswitchinterval()
                self.saved = None
                if before > SAMPLE_SWITCH_INTERVAL_S:
                    self.saved = before
                    sys.setswitchinterval(SAMPLE_SWITCH_INTERVAL_S)
            self.depth += 1
        return self

    def __exit__(self, *exc):
        with self.lock:
            self.depth -= 1
            if self.depth == 0 and self.saved is not None:
                # getswitchinterval() rounds to the microsecond.
                if abs(sys.getswitchinterval() - SAMPLE_SWITCH_INTERVAL_S) < 1e-6:
                    sys.setswitchinterval(self.saved)
                self.saved = None
        return False


_QUICK_SWITCH = _QuickSwitch()


def sample_b64(kernel_ids=(), disks=None, gpu_source="auto",
               nvidia_smi="nvidia-smi", checkpoint_globs=None,
               self_kernel_id=None, checkpoint_request=None):
    """One sample as base64 of its UTF-8 JSON (repr-proof); never raises.
    The kernels' entry point: it runs with a short GIL switch interval."""
    try:
        with _QUICK_SWITCH:
            text = sample_json(kernel_ids, disks, gpu_source, nvidia_smi,
                               checkpoint_globs=checkpoint_globs,
                               self_kernel_id=self_kernel_id,
                               checkpoint_request=checkpoint_request)
    except Exception as e:  # pragma: no cover - sample_json does not raise
        text = _dumps(_fallback(e))
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(
        description="Print one JSON resource sample (GPUs, host, kernels, "
                    "platform, checkpoints).")
    parser.add_argument("--kernel-id", action="append", default=[],
                        help="a Jupyter kernel id to look for (repeatable)")
    parser.add_argument("--self-kernel-id", default=None, metavar="ID",
                        help="the id of the kernel this probe runs in (its "
                             "pid is the probe's own; no search)")
    parser.add_argument("--disk", action="append", default=None,
                        help="a path whose filesystem to report (repeatable)")
    parser.add_argument("--root", default="/",
                        help="read ROOT/proc and ROOT/sys/fs/cgroup (tests)")
    parser.add_argument("--gpu-source", default="auto",
                        choices=("auto", "nvml", "nvidia-smi"))
    parser.add_argument("--nvidia-smi", default="nvidia-smi",
                        help="the nvidia-smi command or path")
    parser.add_argument("--checkpoint", action="append", default=None,
                        metavar="GLOB",
                        help="report the newest file matching GLOB "
                             "(repeatable; ~ and recursive ** allowed)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="number of samples, one JSON object per line")
    parser.add_argument("--interval", type=float, default=1.0,
                        help="seconds between samples with --repeat")
    args = parser.parse_args(argv)
    for i in range(max(1, args.repeat)):
        if i:
            time.sleep(max(0.0, args.interval))
        sys.stdout.write(sample_json(args.kernel_id, args.disk, args.gpu_source,
                                     args.nvidia_smi, args.root,
                                     args.checkpoint,
                                     args.self_kernel_id) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    main()
