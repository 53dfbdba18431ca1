"""Gzipped size of the labextension's JavaScript (DESIGN.md section 6).

    python3 bench/js_size.py STATIC_DIR [--out FILE.json]

Sums, over every static/*.js file, the size of the file compressed with zlib's
gzip format at level 9 (what `gzip -9` gives, less its file-name header), and
reports the largest file. Source maps and the licence JSON are not counted:
JupyterLab never sends them to a browser that does not ask for them.

The other files the labextension ships for the page to fetch (the probe's
source and the checkpoint helper, as text assets fetched on first use) are
not JS and are not in the total; they are listed apart, as `assets`, with
the same two sizes, so that what moved out of the JS stays in view.
"""
import argparse
import gzip
import json
import os
import sys


def gz_size(data):
    # mtime=0 and no file name: the size depends on the content only
    return len(gzip.compress(data, compresslevel=9, mtime=0))


NOT_SENT = (".map",)
NOT_SENT_NAMES = ("third-party-licenses.json",)


def measure(static_dir):
    files = []
    assets = []
    for name in sorted(os.listdir(static_dir)):
        if name.endswith(NOT_SENT) or name in NOT_SENT_NAMES:
            continue
        with open(os.path.join(static_dir, name), "rb") as f:
            data = f.read()
        entry = {"file": name, "bytes": len(data), "gzip_bytes": gz_size(data)}
        (files if name.endswith(".js") else assets).append(entry)
    if not files:
        raise SystemExit("no .js files in %s" % static_dir)
    largest = max(files, key=lambda f: f["gzip_bytes"])
    return {
        "static_dir": os.path.abspath(static_dir),
        "files": files,
        "total_bytes": sum(f["bytes"] for f in files),
        "total_gzip_bytes": sum(f["gzip_bytes"] for f in files),
        "largest": largest,
        "assets": assets,
        "assets_gzip_bytes": sum(f["gzip_bytes"] for f in assets),
    }


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("static_dir")
    p.add_argument("--build", default="production",
                   help="label recorded with the numbers (production/development)")
    p.add_argument("--out")
    a = p.parse_args(argv)
    res = measure(a.static_dir)
    res["build"] = a.build
    text = json.dumps(res, indent=2)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text + "\n")
    print("labextension JS (%s build): %d files, %.1f KiB raw, %.1f KiB gzipped; "
          "largest %s %.1f KiB gzipped" % (
              a.build, len(res["files"]), res["total_bytes"] / 1024.0,
              res["total_gzip_bytes"] / 1024.0, res["largest"]["file"],
              res["largest"]["gzip_bytes"] / 1024.0), file=sys.stderr)
    if res["assets"]:
        print("not JS, fetched on first use: %s; %.1f KiB gzipped" % (
            ", ".join("%s %.1f KiB raw" % (f["file"], f["bytes"] / 1024.0)
                      for f in res["assets"]),
            res["assets_gzip_bytes"] / 1024.0), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
