#!/usr/bin/env bash
# The whole test suite on a fresh machine, and what .ci/run calls: installs the system packages the
# tests use when it can (Debian, as root), otherwise says exactly what to install and stops; installs
# the npm packages when node_modules is missing; then runs vitest (its summary is the last output).
#   tools/test.sh [vitest args…]    run the suite (or the files given)
#   tools/test.sh --check           only report what is missing (exit 1 if anything is)
set -euo pipefail
cd "$(dirname "$0")/.."

# Real ffmpeg and chromium for the video and browser tests; PyTorch (Debian's, no PyPI here) for the
# independent gradient check; redis-server for the farm's queue.
missing=()
command -v ffmpeg >/dev/null 2>&1 || missing+=(ffmpeg)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
python=${REVERIE_PYTHON:-/usr/bin/python3}
"$python" -c 'import numpy' >/dev/null 2>&1 || missing+=(python3-numpy)
"$python" -c 'import torch' >/dev/null 2>&1 || missing+=(python3-torch)
"$python" -c 'import torchvision' >/dev/null 2>&1 || missing+=(python3-torchvision)

if [ "${1:-}" = "--check" ]; then
  if [ ${#missing[@]} -eq 0 ]; then echo "Everything the tests need is installed."; exit 0; fi
  echo "Missing: ${missing[*]}"
  echo "Install with: sudo apt-get install -y --no-install-recommends ${missing[*]}"
  exit 1
fi

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "The tests need: ${missing[*]}" >&2
    echo "On Debian or Ubuntu: sudo apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "Then run tools/test.sh again." >&2
    exit 1
  fi
fi

if [ ! -d node_modules ]; then
  # onnxruntime-node's install script would fetch CUDA libraries from outside the npm registry,
  # which a test machine cannot reach (and the suite runs on the CPU): skip only that download here.
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund
fi

exec npx vitest run "$@"
