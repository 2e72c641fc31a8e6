#!/usr/bin/env bash
# Installs the build into a scratch prefix and builds a consumer against it,
# once through CMake's find_package and once through pkg-config, with no
# flags of the consumer's own.
set -euo pipefail
build=${1:?usage: consumer_test.sh BUILD_DIR SOURCE_DIR}
src=${2:?}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" > "$tmp/install.log"
cmake -S "$src/test/consumer" -B "$tmp/cmake" -DCMAKE_PREFIX_PATH="$tmp/prefix" > "$tmp/configure.log"
cmake --build "$tmp/cmake" > "$tmp/build.log" 2>&1 || { cat "$tmp/build.log"; exit 1; }
"$tmp/cmake/consumer"
pc=$(find "$tmp/prefix" -name zgc.pc)
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs zgc)
echo "pkg-config: $flags"
g++ "$src/test/consumer/main.cc" -o "$tmp/pc-consumer" $flags
"$tmp/pc-consumer"
echo "1 passed, 0 failed"
