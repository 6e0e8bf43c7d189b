#!/bin/sh
# docknet macvlan-shim: lets a host reach its own macvlan containers (the kernel drops traffic
# between a macvlan child and its parent) through a host-side macvlan interface on the same parent.
#   macvlan-shim.sh up   SHIM PARENT ADDRESS RANGE...
#   macvlan-shim.sh down SHIM
# Both are idempotent.
set -eu
action=$1 shim=$2
if [ "$action" = down ]; then
  ip link del "$shim" 2>/dev/null || true   # deleting the link also drops its routes
  exit 0
fi
parent=$3 address=$4
shift 4
ip link show "$parent" >/dev/null 2>&1 || { echo "docknet: parent interface $parent does not exist on $(hostname)" >&2; exit 1; }
if ! ip link show "$shim" >/dev/null 2>&1; then
  ip link add "$shim" link "$parent" type macvlan mode bridge
fi
ip addr replace "$address" dev "$shim"
ip link set "$shim" up
for range in "$@"; do
  ip route replace "$range" dev "$shim"
done
