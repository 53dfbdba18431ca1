#!/usr/bin/env bash
# Build the labextension in production mode into a scratch copy of the sources,
# so that the development install (a symlink to
# jupyterlab_gpu_session/labextension) and lib/ are left untouched.
#
#   bash bench/build_prod.sh [--source-map] OUTDIR
#
# --source-map builds the same minified code plus a .js.map per file, for
# bench/js_size_breakdown.js (what makes up the size); the measured build has
# none, as the wheel's has none.
#
# Afterwards OUTDIR/labextensions/jupyterlab-gpu-session is the production
# labextension: its static/ is what the size benchmark measures, and OUTDIR is
# put first on JUPYTER_PATH for the browser benchmark, so that JupyterLab
# serves the production build instead of the development one.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/.." && pwd)"
maps=0
if [ "${1:-}" = --source-map ]; then
  maps=1
  shift
fi
out="$(mkdir -p "$1" && cd "$1" && pwd)"
src="$out/src-copy"
rm -rf "$out"
mkdir -p "$src/jupyterlab_gpu_session" "$out/labextensions"
cd "$repo"
# The working tree as it is (tracked and untracked files, not ignored ones:
# no node_modules, lib or built labextension); git is only read here.
if files="$(git ls-files -co --exclude-standard 2>/dev/null)" && [ -n "$files" ]; then
  printf '%s\n' "$files" | grep -v '^bench/' | while IFS= read -r f; do
    [ -f "$f" ] || continue
    mkdir -p "$src/$(dirname "$f")"
    cp -p "$f" "$src/$f"
  done
else
  for f in package.json tsconfig.json install.json LICENSE README.md; do
    [ -e "$f" ] && cp "$f" "$src/"
  done
  cp -r src schema style scripts "$src/"
  cp jupyterlab_gpu_session/probe.py jupyterlab_gpu_session/checkpoint.py \
    "$src/jupyterlab_gpu_session/"
fi
# Never carry the development build's generated probe module or outputs.
rm -rf "$src/lib" "$src/src/__tests__"
ln -s "$repo/node_modules" "$src/node_modules"
cd "$src"
if [ "$maps" = 1 ]; then
  build() { npm run --silent clean && npm run --silent build:lib:prod &&
    npm run --silent build:labextension -- --source-map; }
else
  build() { npm run --silent build:prod; }
fi
build >"$out/build.log" 2>&1 || {
  echo "production build failed; see $out/build.log" >&2
  tail -30 "$out/build.log" >&2
  exit 1
}
ln -s "$src/jupyterlab_gpu_session/labextension" \
  "$out/labextensions/jupyterlab-gpu-session"
echo "$out/labextensions/jupyterlab-gpu-session"
