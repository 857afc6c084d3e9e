#!/usr/bin/env bash
# Runs Herald's tests on another Node major version (22, 24…) without touching this checkout's install.
#
#   scripts/test-on-node.sh 24                          the guards and the whole suite, as `npm test` runs them
#   scripts/test-on-node.sh 24 'test/store/*.test.ts'   only these files (relative to packages/server; quoted,
#                                                       Node 22 and later expand the pattern)
#
# The node_modules that `npm ci` made hold better-sqlite3 compiled for the machine's Node, and a native addon only
# loads in the Node it was built for. So the tests run in a copy of this tree (a few seconds: node_modules is
# hard-linked), whose better-sqlite3 is swapped for one compiled against that Node's headers
# (npm_config_nodedir; built once per version, kept beside that Node in the user's cache: see node-release.sh).
# The checkout keeps working with the machine's Node meanwhile.
set -euo pipefail
major=${1:?usage: scripts/test-on-node.sh <major version> [test files relative to packages/server]}
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
nodedir="$("$root/scripts/node-release.sh" "$major")"
node_bin="$nodedir/bin"

addon_version="$(node -p "require('$root/node_modules/better-sqlite3/package.json').version")"
addon="$nodedir/better-sqlite3-$addon_version.node"
if [ ! -f "$addon" ]; then
  echo "Compiling better-sqlite3 $addon_version for Node $("$node_bin/node" -v) (once; about a minute)"
  build="$(mktemp -d)"
  cp -a "$root/node_modules/better-sqlite3/." "$build/"
  rm -rf "$build/build"
  node_gyp="$(dirname "$(readlink -f "$(command -v npm)")")/../node_modules/node-gyp/bin/node-gyp.js"
  (cd "$build" && PATH="$node_bin:$PATH" npm_config_nodedir="$nodedir" node "$node_gyp" rebuild --release --nodedir="$nodedir") \
    >"$build.log" 2>&1 || { cat "$build.log" >&2; rm -rf "$build" "$build.log"; exit 1; }
  cp "$build/build/Release/better_sqlite3.node" "$addon.tmp"
  mv "$addon.tmp" "$addon"
  rm -rf "$build" "$build.log"
fi

tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# The sources are copied, so edits made while the tests run do not leak into them (not the data of a Herald run in the
# checkout, .herald). The node_modules folders (large, and never edited in place) are hard-linked where the
# filesystem allows it, and copied where it does not.
tar -C "$root" --exclude=node_modules --exclude=./.git --exclude=./.herald -cf - . | tar -C "$tree" -xf -
(cd "$root" && find . \( -name .git -o -name dist \) -prune -o -name node_modules -type d -prune -print) |
  while read -r modules; do
    cp -al "$root/$modules" "$tree/$modules" 2>/dev/null || { rm -rf "${tree:?}/$modules"; cp -a "$root/$modules" "$tree/$modules"; }
  done
target="$tree/node_modules/better-sqlite3/build/Release/better_sqlite3.node"
rm -f "$target"
cp "$addon" "$target"

export PATH="$node_bin:$PATH"
# Tests that npm-install Herald's package (test/build) compile better-sqlite3 there too: against this Node's headers.
export npm_config_nodedir="$nodedir"
echo "Testing on Node $(node -v) in $tree"
node -e "new (require('$tree/node_modules/better-sqlite3'))(':memory:').close()"
cd "$tree/packages/server"
# The whole suite comes with the guards, as `npm test` runs it; a subset is about what the Node version changes, and
# the guards (types, import cycles, file sizes) do not change with it.
if [ "$#" -eq 0 ]; then
  npm run guards
  set -- test/*/*.test.ts
fi
# TAP, as `npm test` prints on Node 20 when its output is not a terminal: Node 22 and later print the spec
# reporter by default, and CI reads TAP's closing "# pass" and "# fail" lines.
node --import tsx --test --test-concurrency=1 --test-reporter=tap "$@"
