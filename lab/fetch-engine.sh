#!/usr/bin/env bash
# Fetches one lab Docker engine from Debian's own packages into a cache folder, once. Called by
# lab/engines.ts (which holds the versions, as data) under `flock` on the cache's lock file, so two
# callers never build the same engine at once. Never touches the system's apt sources, its dpkg
# database or its /usr/sbin/dockerd: apt runs with a source list, lists and cache of its own, and the
# packages are only unpacked (dpkg-deb -x), never installed. apt checks every .deb against the
# signed Packages lists (Debian's archive key).
#
# usage: fetch-engine.sh CACHE VERSION MANIFEST SOURCES_LIST PATCH_RUNC(0|1) -- PKG=VER... -- LIBPKG=VER...
#   CACHE         the cache folder (the engine lands in CACHE/VERSION)
#   MANIFEST      a one-line description of what VERSION must contain; a cached folder whose
#                 manifest differs is rebuilt
#   SOURCES_LIST  apt source lines, newline-separated
#   LIBPKG=VER    packages unpacked into a private library folder that runc is patched to use
set -euo pipefail

cache=$1 version=$2 manifest=$3 sources=$4 patch_runc=$5
shift 5
[ "$1" = -- ] || { echo "fetch-engine: expected -- before the packages" >&2; exit 2; }
shift
pkgs=() libs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do pkgs+=("$1"); shift; done
[ $# -gt 0 ] && shift
while [ $# -gt 0 ]; do libs+=("$1"); shift; done

final="$cache/$version"
if [ -f "$final/manifest" ] && [ "$(cat "$final/manifest")" = "$manifest" ]; then exit 0; fi

mkdir -p "$cache/apt/lists/partial" "$cache/apt/archives/partial"
printf '%s\n' "$sources" > "$cache/apt/sources.list"
apt=(apt-get -q -o "Dir::Etc::sourcelist=$cache/apt/sources.list" -o Dir::Etc::sourceparts=-
  -o "Dir::State::Lists=$cache/apt/lists" -o "Dir::Cache=$cache/apt" -o "Dir::Cache::archives=$cache/apt/archives"
  -o APT::Sandbox::User=root)

tmp=$(mktemp -d "$cache/.build-$version.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/debs" "$tmp/root" "$tmp/libc"

download() {
  (cd "$tmp/debs" && "${apt[@]}" download "$@")
}
# The lists from an earlier run may be stale (a version left the suite): refresh once and retry.
if ! download "${pkgs[@]}" "${libs[@]}" >"$tmp/download.log" 2>&1; then
  echo "fetch-engine: refreshing the package lists for Docker $version (apt-get update, own lists in $cache/apt)" >&2
  "${apt[@]}" update >"$tmp/update.log" 2>&1 || { cat "$tmp/update.log" >&2; exit 1; }
  rm -f "$tmp/debs"/*.deb
  download "${pkgs[@]}" "${libs[@]}" >"$tmp/download.log" 2>&1 || { cat "$tmp/download.log" >&2; exit 1; }
fi

for p in "${pkgs[@]}"; do
  name=${p%%=*}
  deb=$(ls "$tmp/debs/${name}"_*.deb)
  dpkg-deb -x "$deb" "$tmp/root"
done
for p in "${libs[@]}"; do
  name=${p%%=*}
  deb=$(ls "$tmp/debs/${name}"_*.deb)
  dpkg-deb -x "$deb" "$tmp/libc-pkg"
done

# runc of trixie and sid needs a newer glibc than the machine's; point it at the private copy.
if [ "$patch_runc" = 1 ]; then
  command -v patchelf >/dev/null || { echo "fetch-engine: patchelf is missing (apt-get install patchelf)" >&2; exit 1; }
  cp -a "$tmp/libc-pkg/usr/lib/x86_64-linux-gnu/." "$tmp/libc/"
  rm -rf "$tmp/libc-pkg"
  runc="$tmp/root/usr/sbin/runc"
  patchelf --set-interpreter "$final/libc/ld-linux-x86-64.so.2" --set-rpath "$final/libc" "$runc"
fi

# dockerd looks for docker-init on PATH; Debian ships it as a symlink to tini-static.
[ -e "$tmp/root/usr/bin/docker-init" ] || { echo "fetch-engine: docker-init missing from the packages of Docker $version" >&2; exit 1; }

# Check before publishing: every binary runs on this machine.
"$tmp/root/usr/sbin/dockerd" --version >/dev/null
"$tmp/root/usr/bin/docker" --version >/dev/null
"$tmp/root/usr/bin/containerd" --version >/dev/null
if [ "$patch_runc" = 1 ]; then
  # runc's interpreter is the final path, not yet there: run it through the private loader.
  "$tmp/libc/ld-linux-x86-64.so.2" --library-path "$tmp/libc" "$tmp/root/usr/sbin/runc" --version >/dev/null
else
  "$tmp/root/usr/sbin/runc" --version >/dev/null
fi

rm -rf "$tmp/debs"
printf '%s\n' "$manifest" > "$tmp/manifest"
# Publish: a cached folder is either complete or absent. An old one (other manifest) is moved aside first.
if [ -e "$final" ]; then
  old=$(mktemp -d "$cache/.old-$version.XXXXXX")
  mv "$final" "$old/"
  rm -rf "$old"
fi
chmod 755 "$tmp"
mv "$tmp" "$final"
trap - EXIT
echo "fetch-engine: Docker $version ready in $final" >&2
