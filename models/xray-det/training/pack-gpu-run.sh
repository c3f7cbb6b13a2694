#!/usr/bin/env bash
# Packs what gpu-run.sh needs on a machine without Node: Node itself, the generator bundled with esbuild
# (sharp left external) and sharp with its libvips, into .devcarry/rt.tar.xz (~37 MB; .devcarry is git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../../.."
rt=.devcarry/rt
rm -rf "$rt" && mkdir -p "$rt/node_modules/@img"
node_modules/.bin/esbuild models/xray-det/training/gen-dataset.ts --bundle --platform=node --format=esm \
  --external:sharp --outfile="$rt/gen.mjs" --log-level=warning
cp -r node_modules/sharp node_modules/detect-libc "$rt/node_modules/"
cp -r node_modules/@img/sharp-linux-x64 node_modules/@img/sharp-libvips-linux-x64 node_modules/@img/colour "$rt/node_modules/@img/"
cp "$(readlink -f node_modules/.bin/node)" "$rt/node"
tar -C "$rt" -cf - . | xz -T0 -6 >.devcarry/rt.tar.xz
rm -rf "$rt"
ls -la .devcarry/rt.tar.xz
