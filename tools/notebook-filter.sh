#!/usr/bin/env bash
# Strip notebook outputs on their way into git, so a researcher who saves a run notebook still
# commits it clean (and `git diff` ignores outputs). .gitattributes routes *.ipynb through the
# `nbstripout` filter; this configures that filter in the checkout's .git/config with the
# project's Python. Same settings as `nbstripout --install`, plus --keep-id: cell ids stay, so
# inserting a cell does not renumber every cell after it.
# Usage: tools/notebook-filter.sh PYTHON [REPOSITORY]   (does nothing outside a git checkout)
set -eu
if [ $# -lt 1 ]; then
  echo "usage: $0 PYTHON [REPOSITORY]" >&2
  exit 2
fi
# Absolute, but not resolved: a venv's python is a symlink to an interpreter without nbstripout.
python="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
repo="${2:-.}"
if ! git -C "$repo" rev-parse --git-dir >/dev/null 2>&1; then
  echo "not a git checkout: notebook output filter not configured"
  exit 0
fi
"$python" -m nbstripout --version >/dev/null
strip="\"$python\" -m nbstripout --keep-id"
git -C "$repo" config filter.nbstripout.clean "$strip"
git -C "$repo" config filter.nbstripout.smudge cat
git -C "$repo" config filter.nbstripout.required true
git -C "$repo" config diff.ipynb.textconv "$strip -t"
