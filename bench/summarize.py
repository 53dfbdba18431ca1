"""Collect the raw benchmark outputs into bench/results/latest.{json,md}.

    python3 bench/summarize.py --tmp bench/.tmp --json OUT.json --md OUT.md

Reads js_size.json, js_size_raw.json, js_breakdown.json, peer_sizes.json,
strip_check.json, probe_cost.json, checkpoint_cost.json, heap.json,
roundtrip_profile.json, subshell_roundtrip.json and
browser.json from --tmp (any may be missing: its rows say "—"), adds the date, the machine and the versions,
and compares each number with its budget in DESIGN.md section 6.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def run(cmd, cwd=None):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=30, cwd=cwd)
        return (r.stdout or r.stderr).strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def machine():
    cpu = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as f:
            m = re.search(r"MemTotal:\s+(\d+) kB", f.read())
            mem = round(int(m.group(1)) / 1048576.0, 1) if m else None
    except OSError:
        pass
    def loadavg(path):
        try:
            with open(path) as f:
                return " ".join(f.read().split()[:3])
        except OSError:
            return None

    return {
        "loadavg_at_start": loadavg(os.path.join(HERE, ".tmp", "loadavg_start")),
        "loadavg_at_end": loadavg("/proc/loadavg"),
        "processes_at_end": sum(1 for n in os.listdir("/proc") if n.isdigit()),
        "nproc": os.cpu_count(),
        "nproc_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu_model": cpu,
        "memory_gib": mem,
        "kernel": platform.release(),
        "gpu": "none (GPU paths simulated with fakes)",
    }


def versions():
    out = {"python": platform.python_version()}
    try:
        from importlib.metadata import version
        for pkg in ("jupyterlab", "jupyter_server", "ipykernel", "psutil"):
            try:
                out[pkg] = version(pkg)
            except Exception:
                out[pkg] = None
    except ImportError:
        pass
    chromium = os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH") or "/usr/bin/chromium"
    out["chromium"] = run([chromium, "--version"]) if os.path.exists(chromium) else None
    out["node"] = run(["node", "--version"])
    for name, rel in (("@playwright/test", "ui-tests/node_modules/@playwright/test/package.json"),
                      ("@jupyterlab/galata", "ui-tests/node_modules/@jupyterlab/galata/package.json")):
        d = load(os.path.join(REPO, rel))
        out[name] = d.get("version") if d else None
    d = load(os.path.join(REPO, "package.json"))
    out["jupyterlab-gpu-session"] = d.get("version") if d else None
    out["git_commit"] = run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO)
    if out["git_commit"] and not re.fullmatch(r"[0-9a-f]+", out["git_commit"]):
        out["git_commit"] = None
    return out


def fmt(x, unit, digits=2):
    if x is None:
        return "—"
    return ("%." + str(digits) + "f %s") % (x, unit)


def verdict(value, budget):
    if value is None:
        return "not measured"
    return "pass" if value <= budget else "missed"


def stat_text(s, digits=1):
    return s and "median %s, p95 %s (n=%d)" % (
        fmt(s["median"], "ms", digits), fmt(s["p95"], "ms", digits), s["n"])


def rows(d):
    """(what, measured, budget, result, note) for each budget of section 6."""
    size, probe, b = d.get("js_size"), d.get("probe_cost"), d.get("browser") or {}
    raw, heap = d.get("js_size_raw"), d.get("heap")
    out = []
    sc = (probe or {}).get("scenarios", {})

    def scen(name):
        r = sc.get(name)
        return None if (not r or "skipped" in r) else r

    r = scen("cpu_only")
    out.append(("probe CPU per sample, CPU-only host (no kernel ids)",
                r and "median %s, p95 %s" % (fmt(r["cpu_self_ms"]["median"], "ms", 3),
                                            fmt(r["cpu_self_ms"]["p95"], "ms", 3)),
                "<= 1 ms median", verdict(r and r["cpu_self_ms"]["median"], 1.0),
                "time.process_time of sample_b64()"))
    r = scen("one_kernel")
    out.append(("probe CPU per sample, CPU-only host, one kernel id",
                r and "median %s, p95 %s" % (fmt(r["cpu_self_ms"]["median"], "ms", 3),
                                            fmt(r["cpu_self_ms"]["p95"], "ms", 3)),
                "<= 1 ms median (same budget)", verdict(r and r["cpu_self_ms"]["median"], 1.0),
                "scans /proc for the kernel's process tree"))
    ps = d.get("probe_scaling")
    if ps and ps.get("levels"):
        ours = next(iter(ps["levels"][0]["probes"]))  # the first --probe: this tree's
        v = ps["verdicts"].get(ours)
        out.append(("probe CPU per sample, one kernel id, %d extra processes on the host"
                     % ps["levels"][-1]["extra_processes"],
                     ", ".join("%d extra: %s" % (r["extra_processes"], fmt(
                         r["probes"][ours]["cpu_ms"]["median"], "ms", 3)) for r in ps["levels"]),
                     "<= 1.5x the median with none, <= 1 ms median (issue 12)",
                     ("pass" if v["pass"] else "missed") if v else "not measured",
                     "%.2fx; bench/probe_scaling.py" % v["ratio_most_to_none"] if v else ""))
    r = scen("nvml_fake_t4")
    out.append(("probe CPU per sample, one GPU via NVML",
                r and "fake NVML: median %s, p95 %s" % (
                    fmt(r["cpu_self_ms"]["median"], "ms", 3), fmt(r["cpu_self_ms"]["p95"], "ms", 3)),
                "<= 3 ms median",
                "not measured on real hardware" + (
                    " (fake: %s)" % verdict(r["cpu_self_ms"]["median"], 3.0) if r else ""),
                "fake libnvidia-ml (tests/fakes/fake_nvml.c): the probe's ctypes cost only, no driver time"))
    r = scen("smi_t4")
    out.append(("probe per sample, one GPU via nvidia-smi (fallback path)",
                r and "self median %s; with children %s; wall %s" % (
                    fmt(r["cpu_self_ms"]["median"], "ms", 3), fmt(r["cpu_total_ms"]["median"], "ms", 1),
                    fmt(r["wall_ms"]["median"], "ms", 1)),
                "no budget (reference: nvidia-smi call 7-22 ms)", "info",
                "fake nvidia-smi is a Python script, run twice per sample"))
    for key, label in (("roundtrip_no_notebook", "no notebook"),
                       ("roundtrip_no_notebook_monitor_kernel", "no notebook, monitor kernel forced"),
                       ("roundtrip_kernel_idle", "notebook kernel idle"),
                       ("roundtrip_kernel_busy", "notebook kernel busy (time.sleep)")):
        r = b.get(key) or {}
        s = r.get("stats_ms")
        out.append(("sample round trip from the browser and back, " + label,
                    stat_text(s), "<= 25 ms median", verdict(s and s["median"], 25.0),
                    "%s; with the server part's TCP_NODELAY on kernel websockets" % (
                        r.get("transport") or "transport not recorded")))
    out += subshell_rows(d.get("subshell_roundtrip") or {})
    s = (b.get("baseline_silent_execute") or {}).get("stats_ms")
    out.append(("reference: silent execute + trivial user expression, no probe",
                stat_text(s), "no budget (reference ~18 ms)", "info",
                "the floor of the round trip on this machine, with the server part"))
    s = (b.get("roundtrip_no_notebook_stock_server") or {}).get("stats_ms")
    s0 = (b.get("baseline_silent_execute_stock_server") or {}).get("stats_ms")
    out.append(("sample round trip, no notebook, stock jupyter_server (server part's TCP_NODELAY off)",
                s and "%s; floor (trivial expression) %s" % (
                    stat_text(s), fmt(s0 and s0["median"], "ms", 1)),
                "<= 25 ms median",
                verdict(s and s["median"], 25.0) if s else "not measured",
                "what the front end gets where the server part is not installed: Nagle + delayed ACK"))
    s = (b.get("roundtrip_fake_smi_two_gpus") or {}).get("stats_ms")
    out.append(("sample round trip, two simulated GPUs (fake nvidia-smi)",
                stat_text(s), "<= 25 ms median", verdict(s and s["median"], 25.0),
                "includes two runs of the Python fake nvidia-smi"))
    for key, label, note in (
            ("first_sample", "no kernel running",
             "verdict on the slowest run"),
            ("first_sample_monitor_kernel", "monitor kernel forced, none running",
             "verdict on the slowest run; kernel start included")):
        f = b.get(key)
        worst = max(f["runs_ms"]) if f else None
        out.append(("first sample after opening the sidebar, " + label,
                    f and "first %d ms; runs %s ms" % (f["first_ms"], ", ".join(str(x) for x in f["runs_ms"])),
                    "<= 2.5 s", verdict(worst, 2500.0),
                    "%s; %s" % (note, (f or {}).get("transport") or "transport not recorded")))
    f = b.get("first_sample_kernel_running")
    out.append(("first sample after opening the sidebar, monitor running (notebook open)",
                f and "shown after %s ms; next fresh sample after %s ms" % (
                    ", ".join(str(x) for x in f["shown_ms"]), ", ".join(str(x) for x in f["fresh_ms"])),
                "<= 2.5 s", verdict(f and max(max(f["shown_ms"]), max(f["fresh_ms"])), 2500.0),
                "the latest sample shows at once; a fresh one comes with the next poll tick"))
    out.append(("all labextension JS, gzipped (%s build)" % ((size or {}).get("build") or "?"),
                size and "%d bytes = %.1f kB = %.1f KiB; largest %s %d bytes%s" % (
                    size["total_gzip_bytes"], size["total_gzip_bytes"] / 1000.0,
                    size["total_gzip_bytes"] / 1024.0, size["largest"]["file"],
                    size["largest"]["gzip_bytes"],
                    "; %d bytes with the probe not stripped" % raw["total_gzip_bytes"] if raw else "") + (
                    "; not JS and not counted: %s, %d bytes gzipped (text assets fetched on first use)" % (
                        ", ".join("%s %d bytes" % (f["file"], f["bytes"]) for f in size["assets"]),
                        size["assets_gzip_bytes"]) if size and size.get("assets") else ""),
                "<= 70 KB", verdict(size and size["total_gzip_bytes"], 70000),
                "gzip -9 of static/*.js; also %s against 70 KiB" % (
                    verdict(size and size["total_gzip_bytes"], 70 * 1024)) if size else ""))
    j = b.get("js_fetched")
    out.append(("labextension JS fetched at JupyterLab start, gzipped",
                j and ("%d bytes = %.1f kB in %d files; %d bytes more on first opening the sidebar"
                       "; not JS and not counted: %d bytes of text assets at start, %d on opening the sidebar") % (
                    j["start_gzip_bytes"], j["start_gzip_bytes"] / 1000.0,
                    len([f for f in j["files"] if f["phase"] == "start" and f.get("kind", "js") == "js"]),
                    j["sidebar_gzip_bytes"], j.get("start_asset_gzip_bytes", 0),
                    j.get("sidebar_asset_gzip_bytes", 0)),
                "<= 22 KB", verdict(j and j["start_gzip_bytes"], 22000),
                "the page's own requests for our static/*.js, gzip -9 of each body"))
    r = b.get("render")
    s = r and r.get("js_ms")
    out.append(("main-thread time per sidebar update (full plots)",
                s and "median %s, p95 %s (%s points per line)" % (
                    fmt(s["median"], "ms", 2), fmt(s["p95"], "ms", 2), r.get("history_points_per_line")),
                "<= 4 ms", verdict(s and s["median"], 4.0),
                "render() of the panel: 3 plots (the product has 3), 5 lines (4 with values); paint not included"))
    out.append(("JS heap growth over a simulated 24 h session (Node: monitor, history, parser)",
                heap and "%.3f MB after 1 h, %.3f MB after %d h: %+.3f MB (%d samples)" % (
                    heap["heap_1h_bytes"] / 1e6, heap["heap_24h_bytes"] / 1e6, heap["hours"],
                    heap["growth_1h_to_end_bytes"] / 1e6, heap["samples"]),
                "<= 1 MB", verdict(heap and heap["growth_1h_to_end_bytes"], 1e6)
                if heap and heap["hours"] >= 24 else "not measured",
                "heapUsed + arrayBuffers after gc; views not included"))
    hb = b.get("heap_browser")
    out.append(("JS heap growth, live page in Chromium (views included)",
                hb and "%.2f MB after 1 h, %.2f MB after %d h: %+.3f MB (%d samples)" % (
                    hb["heap_1h_bytes"] / 1e6, hb["heap_end_bytes"] / 1e6, hb["hours"],
                    hb["growth_1h_to_end_bytes"] / 1e6, hb["samples"]),
                "<= 1 MB over 24 h",
                (verdict(hb["growth_1h_to_end_bytes"], 1e6) if hb["hours"] >= 24 else
                 "info (%d h; BENCH_FULL=1 runs 24 h)" % hb["hours"]) if hb else "not measured",
                "CDP Runtime.getHeapUsage after collectGarbage; the whole page's heap"))
    for key, label in (("overhead", ""), ("overhead_monitor_kernel", ", monitor kernel forced")):
        o = b.get(key)
        out.append(("monitor overhead at the default cadence, kernel + server" + label,
                    o and "%.3f %% (kernel %s, server +%.3f %%), %d s windows, %d samples" % (
                        o["total_percent_of_one_cpu"],
                        "none" if o.get("kernel_cpu_percent") is None
                        else "%.3f %%" % o["kernel_cpu_percent"],
                        max(0.0, o["server_cpu_percent_on"] - o["server_cpu_percent_off"]),
                        o["window_s"], o.get("samples_in_window") or 0),
                    "<= 0.5 % of one CPU", verdict(o and o["total_percent_of_one_cpu"], 0.5),
                    "%s; /proc schedstat (ns); browser CPU not included" % (
                        (o or {}).get("transport") or "transport not recorded")))
    o = b.get("overhead_monitor_kernel") or b.get("overhead")
    out.append(("monitor kernel memory",
                o and o.get("kernel_rss_mb") is not None and "%.1f MB RSS (%.1f MiB)%s" % (
                    o["kernel_rss_mb"], o["kernel_rss_mib"],
                    "; %+.1f MB over the window" % o["kernel_rss_growth_mb"]
                    if o.get("kernel_rss_growth_mb") is not None else "") or None,
                "<= 60 MB RSS", verdict(o and o.get("kernel_rss_mb"), 60.0),
                "VmRSS at the end of the window, CPU-only host, transport monitor-kernel"))
    c = d.get("checkpoint_cost") or {}
    step, lost = (c.get("per_step") or {}).get("default"), c.get("work_lost") or {}
    out.append(("checkpoint helper per training step, no request pending",
                step and "%.2f us wall, %.2f us CPU (a stat every step: %.2f us)" % (
                    step["wall_us"], step["cpu_us"], c["per_step"]["stat_every_step"]["wall_us"]),
                "< 10 us", verdict(step and step["wall_us"], 10.0),
                "CheckpointKeeper.maybe_save(), median of 5 rounds"))
    r, none = lost.get("request_5min_save_by"), lost.get("no_channel")
    budget = (lost.get("model") or {}).get("budget_s")
    out.append(("work lost at a foreseen end (checkpoint request)",
                r and none and "max %.1f s, median %.1f s with a request 5 min ahead (save_by); "
                "without: median %.0f s, max %.0f s" % (
                    r["max_s"], r["median_s"], none["median_s"], none["max_s"]),
                "<= one step + one save (%s s here)" % budget,
                verdict(r and r["max_s"], budget) if budget else "not measured",
                "simulated clock: 10 s steps, 20 s saves, every 30 min"))
    return out


def subshell_rows(ss):
    """The budget rows of bench/subshell_roundtrip.py (issue 11)."""
    v = (ss.get("variants") or {}).get("no_gpu_tool") or {}
    sub = [(state, (v.get(state) or {}).get("subshell")) for state in ("idle", "sleeping")]
    worst = max((s["median"] for _, s in sub if s), default=None)
    rss = ss.get("rss") or {}
    extra = (ss.get("processes") or {}).get("extra")
    return [
        ("sample round trip through a subshell of the notebook's kernel, kernel idle / sleeping",
         worst is not None and "; ".join("%s: %s" % (k, stat_text(s)) for k, s in sub if s) or None,
         "<= 25 ms median", verdict(worst, 25.0),
         "no GPU tool (the fake nvidia-smi's Python start-up left out); ZMQ, no server"),
        ("extra processes on the subshell path", None if extra is None else str(extra), "0",
         verdict(extra, 0), "children of the notebook kernel before loading the probe and after"),
        ("RSS saved by the subshell path against a monitor kernel",
         rss and "%.1f MB (monitor kernel %.1f MB, subshell path adds %.1f MB)" % (
             rss["saved_mb"], rss["monitor_kernel_mb"], rss["subshell_path_extra_mb"]),
         "no budget (issue 11: ~60 MB)", "info", "VmRSS"),
    ]


def subshell_markdown(ss):
    """latest.md's section of bench/subshell_roundtrip.py."""
    if not ss.get("variants"):
        return ["", "Subshell against monitor kernel: not measured%s." % (
            " (%s)" % ss["error"] if ss.get("error") else "")]
    lines = ["", "## Subshell against monitor kernel (bench/subshell_roundtrip.py, ms, n=%d)" % ss["n"],
             "", "| GPU tool | notebook kernel's main shell | subshell median | p95 "
             "| monitor kernel median | p95 | samples that saw the GPU |", "|---|---|---|---|---|---|---|"]
    for variant, states in ss["variants"].items():
        for state, r in states.items():
            if "skipped" in r:
                lines.append("| %s | %s | skipped: %s | | | | |" % (variant, state, r["skipped"]))
                continue
            sub, mon = r["subshell"], r["monitor_kernel"]
            lines.append("| %s | %s | %.1f | %.1f | %.1f | %.1f | %s, %s of %d |" % (
                variant, state, sub["median"], sub["p95"], mon["median"], mon["p95"],
                sub.get("with_gpu"), mon.get("with_gpu"), sub["n"]))
    for variant, r in (ss.get("switch_interval_off") or {}).items():
        s = r["pure_python"]["subshell"]
        if "error" in s:
            lines.append("| %s | pure_python, GIL switch interval not shortened | %s | | | | |" % (
                variant, s["error"]))
            continue
        lines.append("| %s | pure_python, GIL switch interval not shortened (n=%d) | %.1f | %.1f | | | %s |" % (
            variant, s["n"], s["median"], s["p95"], s.get("with_gpu")))
    lines.append("")
    cpu, rss, pr = ss.get("cpu_per_sample_idle") or {}, ss.get("rss") or {}, ss.get("processes") or {}
    for key, label in (("subshell_in_notebook_kernel", "subshell, in the notebook's kernel"),
                       ("monitor_kernel", "monitor kernel")):
        c = cpu.get(key)
        if c:
            lines.append("- CPU per sample, %s (main shell idle, n=%d): %.3f ms (utime+stime, %.0f ms "
                         "ticks), %.3f ms (schedstat), %.3f ms less the idle rate" % (
                             label, c["n"], c["stat_utime_stime_ms"], c["tick_ms"],
                             c["schedstat_ms"], c["schedstat_minus_idle_ms"]))
    if rss:
        lines.append("- RSS: notebook kernel %.1f MB before loading the probe, %.1f MB after %d samples "
                     "(+%.1f MB); monitor kernel %.1f MB fresh, %.1f MB loaded: %.1f MB saved" % (
                         rss["notebook_kernel_before_mb"], rss["notebook_kernel_after_mb"],
                         rss["samples_before_after"], rss["subshell_path_extra_mb"],
                         rss["monitor_kernel_fresh_mb"], rss["monitor_kernel_mb"], rss["saved_mb"]))
    if pr:
        lines.append("- the notebook kernel's children: %d before, %d after the samples, %d at the end" % (
            len(pr["notebook_kernel_children_before"]), len(pr["notebook_kernel_children_after_samples"]),
            len(pr["notebook_kernel_children_at_end"])))
    return lines


def markdown(doc, table):
    m, v = doc["machine"], doc["versions"]
    lines = [
        "# Benchmark results",
        "",
        "- date: %s" % doc["date"],
        "- mode: %s" % ("BENCH_FULL=1" if doc.get("full") else "default (BENCH_FULL=1 for the long windows)"),
        "- machine: %s CPUs (%s usable), %s, %s GiB RAM, Linux %s, no GPU" % (
            m["nproc"], m["nproc_usable"], m["cpu_model"], m["memory_gib"], m["kernel"]),
        "- load average (1, 5, 15 min) at the start: %s, at the end: %s; %s processes at the end "
        "(other work on the machine inflates the timings)" % (
            m.get("loadavg_at_start"), m.get("loadavg_at_end"), m.get("processes_at_end")),
        "- versions: Python %s, JupyterLab %s, jupyter_server %s, ipykernel %s, %s, node %s, "
        "@playwright/test %s, galata %s, psutil %s" % (
            v["python"], v["jupyterlab"], v["jupyter_server"], v["ipykernel"], v["chromium"],
            v["node"], v["@playwright/test"], v["@jupyterlab/galata"], v["psutil"]),
        "- extension: jupyterlab-gpu-session %s%s; browser ran the %s build" % (
            v["jupyterlab-gpu-session"], " (%s)" % v["git_commit"] if v["git_commit"] else "",
            doc["served_build"]),
    ]
    if doc.get("failed_steps"):
        lines.append("- FAILED steps: %s" % ", ".join(doc["failed_steps"]))
    lines += ["", "| what | measured | budget (DESIGN.md 6) | result | note |",
              "|---|---|---|---|---|"]
    for what, measured, budget, result, note in table:
        lines.append("| %s | %s | %s | %s | %s |" % (
            what, measured or "—", budget, result, note or ""))
    p = doc.get("probe_cost")
    if p:
        lines += ["", "## Probe cost, all scenarios (ms per sample, %d samples each)" % p["samples"], "",
                  "| scenario | CPU self median | p95 | + children median | p95 | wall median | p95 |",
                  "|---|---|---|---|---|---|---|"]
        for name, r in p["scenarios"].items():
            if "skipped" in r:
                lines.append("| %s: %s | skipped: %s | | | | | |" % (name, r["description"], r["skipped"]))
                continue
            lines.append("| %s: %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |" % (
                name, r["description"], r["cpu_self_ms"]["median"], r["cpu_self_ms"]["p95"],
                r["cpu_total_ms"]["median"], r["cpu_total_ms"]["p95"],
                r["wall_ms"]["median"], r["wall_ms"]["p95"]))
        lines += ["", "Ratios of CPU (self + children) medians:", ""]
        for k, val in p["ratios_cpu_total_median"].items():
            lines.append("- %s: %s" % (k, "n/a" if val is None else "%.2fx" % val))
        for n in p.get("notes", []):
            lines.append("- note: %s" % n)
    ps = doc.get("probe_scaling")
    if ps and ps.get("levels"):
        lines += ["", "## Probe cost against the host's process count (ms CPU per sample, "
                  "one kernel id, %d samples each)" % ps["samples"], "",
                  "| extra processes | on the host | probe | median | p95 | with the full scan "
                  "| mean at 2 s |", "|---|---|---|---|---|---|---|"]
        for r in ps["levels"]:
            for path, m in r["probes"].items():
                scan = m.get("with_full_scan_cpu_ms")
                lines.append("| %d | %d | %s | %.3f | %.3f | %s | %s |" % (
                    r["extra_processes"], r["host_processes"], os.path.relpath(path, REPO)
                    if path.startswith(REPO) else path, m["cpu_ms"]["median"], m["cpu_ms"]["p95"],
                    "%.3f" % scan["median"] if scan else "—",
                    "%.3f" % m["mean_at_2s_interval_ms"] if scan else "—"))
    size, peers = doc.get("js_size"), (doc.get("peer_sizes") or {}).get("peers") or {}
    if size and not peers:
        lines += ["", "Peers' labextension sizes: not measured (no wheel could be downloaded; "
                  "see bench/peer_sizes.py)."]
    if size or peers:
        lines += ["", "## Labextension JS, gzipped: ours and the peers'", "",
                  "| labextension | version | .js files | gzipped | ratio to ours |", "|---|---|---|---|---|"]
        ours = size and size["total_gzip_bytes"]
        if size:
            lines.append("| jupyterlab-gpu-session (this build) | %s | %d | %d bytes | 1.00x |" % (
                doc["versions"].get("jupyterlab-gpu-session"), len(size["files"]), ours))
        raw = doc.get("js_size_raw")
        if raw:
            lines.append("| jupyterlab-gpu-session, probe not stripped | | %d | %d bytes | %.2fx |" % (
                len(raw["files"]), raw["total_gzip_bytes"],
                raw["total_gzip_bytes"] / float(ours) if ours else float("nan")))
        for dist, r in peers.items():
            lines.append("| %s (wheel) | %s | %d | %d bytes | %s |" % (
                dist, r["version"], len(r["files"]), r["total_gzip_bytes"],
                "%.2fx" % (r["total_gzip_bytes"] / float(ours)) if ours else "n/a"))
    br = doc.get("js_breakdown")
    if br:
        lines += ["", "## What the gzipped size is made of (source-mapped copy of the build)", "",
                  "Gzip is not additive: \"saved if removed\" is how much smaller the gzipped "
                  "chunk gets without that source's bytes.", "",
                  "| source | minified bytes | gzip saved if removed | gzip alone |", "|---|---|---|---|"]
        for e in br["sources"][:15]:
            lines.append("| %s | %d | %d | %d |" % (e["source"], e["raw_bytes"], e["gzip_marginal"],
                                                  e["gzip_alone"]))
        lines += ["", "By group: " + ", ".join("%s %d" % (g["group"], g["gzip_marginal"])
                                               for g in br["groups"][:10])]
    sc = doc.get("strip_check")
    if sc:
        lines += ["", "## The bundled probe source", "",
                  "- %s: %d -> %d bytes, gzip %d -> %d bytes; same syntax tree as probe.py "
                  "without docstrings: %s" % (
                      "stripped" if sc["stripped"] else "NOT stripped", sc["original_bytes"],
                      sc["bundled_bytes"], sc["original_gzip_bytes"], sc["bundled_gzip_bytes"],
                      sc["same_syntax_tree"])]
        for name, r in sc["scenarios"].items():
            lines.append("- %s: %s" % (name, "error" if "error" in r else ", ".join(
                "%s %s" % (k, v) for k, v in r.items() if k.startswith("same"))))
        if sc.get("pytest"):
            lines.append("- pytest (probe tests) on the bundled source: %s" % sc["pytest"]["summary"])
        if sc.get("failures"):
            lines.append("- FAILURES: %s" % "; ".join(sc["failures"]))
    rp = doc.get("roundtrip_profile")
    if rp:
        lines += ["", "## Round trip without the browser (bench/roundtrip_profile.py, ms, n=%d)" % rp["n"], "",
                  "| path | expression | done median | p95 | reply | iopub idle | to kernel | back |",
                  "|---|---|---|---|---|---|---|---|"]
        for path, cases in rp["paths"].items():
            for name, r in cases.items():
                g = lambda k: r.get(k, {}).get("median")  # noqa: E731
                lines.append("| %s | %s | %.2f | %.2f | %.2f | %.2f | %s | %s |" % (
                    path, name, g("done_ms"), r["done_ms"]["p95"], g("reply_ms"), g("idle_ms"),
                    "%.2f" % g("to_kernel_ms") if g("to_kernel_ms") is not None else "—",
                    "%.2f" % g("back_ms") if g("back_ms") is not None else "—"))
    if doc.get("subshell_roundtrip"):
        lines += subshell_markdown(doc["subshell_roundtrip"])
    return "\n".join(lines) + "\n"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tmp", default=os.path.join(HERE, ".tmp"))
    ap.add_argument("--json", default=os.path.join(HERE, "results", "latest.json"))
    ap.add_argument("--md", default=os.path.join(HERE, "results", "latest.md"))
    ap.add_argument("--failed", default="")
    ap.add_argument("--full", default="0")
    a = ap.parse_args(argv)
    parts = {name: load(os.path.join(a.tmp, name + ".json")) for name in (
        "js_size", "js_size_raw", "js_breakdown", "peer_sizes", "strip_check", "probe_cost",
        "probe_scaling", "heap", "roundtrip_profile", "subshell_roundtrip", "browser",
        "checkpoint_cost")}
    browser = parts["browser"]
    served = (browser or {}).get("served_labextension") or {}
    table = rows(parts)
    doc = {
        "date": datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat(),
        "machine": machine(),
        "versions": versions(),
        "served_build": ("production" if served.get("production") else
                         "development/unknown (%s)" % served.get("load")) if served else "not run",
        "full": a.full == "1",
        "failed_steps": [s for s in a.failed.split(";") if s],
        "budgets": [dict(zip(("what", "measured", "budget", "result", "note"), r)) for r in table],
    }
    doc.update(parts)
    for path, text in ((a.json, json.dumps(doc, indent=2) + "\n"), (a.md, markdown(doc, table))):
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
