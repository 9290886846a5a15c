#!/usr/bin/env bash
# Install everything the test suite needs on a fresh machine: the Python packages (pinned by
# scripts/constraints.txt) and the two system packages no wheel carries (Debian's Chromium for the
# browser tests, espeak-ng for the product's fallback voice). The README's test command and CI's
# .ci/run both call this script.
#   bash scripts/install-test-deps.sh && python -m pytest
set -euo pipefail
cd "$(dirname "$0")/.."
export PIP_DISABLE_PIP_VERSION_CHECK=1
PY="${PYTHON:-python3}"
command -v "$PY" >/dev/null 2>&1 || PY=python

step() { printf '[install-test-deps] %s\n' "$*" >&2; }

# torch first and pinned: the CPU wheel (an unpinned torch pulls a multi-GB CUDA build).
step "Python packages (torch 2.13.0 CPU, then .[all] with scripts/constraints.txt; ~5 min on a fresh machine)"
"$PY" -m pip install -q torch==2.13.0
"$PY" -m pip install -q -e ".[all]" -c scripts/constraints.txt

# Debian packages no wheel carries: Chromium for the Playwright browser tests (Playwright's own browser
# download needs the internet) and espeak-ng, the product's last-resort voice (its only Chinese one),
# which one test speaks through. Audio codecs come with PyAV's wheel; test speech from the Piper voice.
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v espeak-ng >/dev/null 2>&1 || missing="$missing espeak-ng"
if [ -n "$missing" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    step "error: missing Debian packages:$missing, and apt-get is not available: install them by hand"
    exit 1
  fi
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 && SUDO="sudo" || { step "error: installing$missing needs root: run 'apt-get install -y$missing' as root"; exit 1; }
  fi
  step "Debian packages:$missing (~1 min)"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
fi
step "done"
