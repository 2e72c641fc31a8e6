#!/usr/bin/env bash
# Installs what zgc needs (Debian packages), builds it, and runs the main job on
# the embedded default device: an emulated zoned device in ./build/zgc-demo.img.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
cd build && exec ./tools/zgc run "$@"
