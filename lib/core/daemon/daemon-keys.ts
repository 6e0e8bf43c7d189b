/**
 * The keys dockerd accepts in daemon.json (Linux), written from moby's daemon/config and the
 * dockerd flag set (daemon/command/config*.go). dockerd refuses a file with any other key
 * ("the following directives don't match any configuration option"), so docknet refuses it first.
 */

/** Networking keys: docknet models each one as a typed prop of DaemonSettings. */
export const NETWORKING_KEYS: ReadonlySet<string> = new Set([
  'bip',
  'fixed-cidr',
  'fixed-cidr-v6',
  'ipv6',
  'ip6tables',
  'mtu',
  'default-gateway',
  'default-gateway-v6',
  'dns',
  'dns-opts',
  'dns-search',
  'default-address-pools',
  'bridge',
  'icc',
  'ip-forward',
  'ip-masq',
  'iptables',
  'ip',
  'userland-proxy',
  'live-restore',
  'default-network-opts',
  'hosts',
]);

/**
 * Keys removed from dockerd that old tutorials still show. The cluster-* trio was the consul/etcd
 * backed overlay of Docker <= 19.03; dockerd 23 refuses to start with it and 24 calls it unknown.
 */
export const REMOVED_KEYS: Readonly<Record<string, string>> = {
  'cluster-store':
    'the external key-value store overlay was removed in Docker 23; use swarm mode (SwarmBootstrap) and overlay networks instead',
  'cluster-advertise':
    'the external key-value store overlay was removed in Docker 23; swarm mode takes --advertise-addr at init/join (SwarmBootstrap advertiseAddr)',
  'cluster-store-opts':
    'the external key-value store overlay was removed in Docker 23; use swarm mode (SwarmBootstrap) instead',
  graph: 'renamed to "data-root" (removed in Docker 23)',
};

/** Every other key dockerd accepts: passed through untouched via DaemonSettingsProps.extra. */
export const PASS_THROUGH_KEYS: ReadonlySet<string> = new Set([
  // logging
  'debug',
  'log-driver',
  'log-format',
  'log-level',
  'log-opts',
  'raw-logs',
  // storage and state
  'data-root',
  'exec-root',
  'storage-driver',
  'storage-opts',
  'pidfile',
  // runtime and containers
  'default-runtime',
  'runtimes',
  'exec-opts',
  'default-ulimits',
  'default-shm-size',
  'default-ipc-mode',
  'default-cgroupns-mode',
  'default-stop-timeout',
  'default-init',
  'init',
  'init-path',
  'cgroup-parent',
  'cpu-rt-period',
  'cpu-rt-runtime',
  'no-new-privileges',
  'seccomp-profile',
  'selinux-enabled',
  'userns-remap',
  'cdi-spec-dirs',
  'nri-opts',
  'shutdown-timeout',
  'oom-score-adjust', // removed in Docker 25, still accepted by the 20.10-24 engines docknet meets
  // daemon plumbing
  'containerd',
  'containerd-namespace',
  'containerd-plugins-namespace',
  'cri-containerd',
  'rootless',
  'group',
  'labels',
  'features',
  'experimental',
  'builder',
  'metrics-addr',
  'min-api-version',
  'authorization-plugins',
  'node-generic-resources',
  'userland-proxy-path',
  // TLS for the API socket (checked together with `hosts`)
  'tls',
  'tlsverify',
  'tlscacert',
  'tlscert',
  'tlskey',
  // registries and proxies
  'registry-mirrors',
  'insecure-registries',
  'allow-nondistributable-artifacts', // removed in Docker 28
  'max-concurrent-downloads',
  'max-concurrent-uploads',
  'max-download-attempts',
  'proxies',
  'http-proxy',
  'https-proxy',
  'no-proxy',
  // swarm
  'swarm-default-advertise-addr',
  'swarm-raft-heartbeat-tick',
  'swarm-raft-election-tick',
  // networking that docknet does not model yet: kept, not typed
  'network-control-plane-mtu',
  'network-diagnostic-port',
  'firewall-backend',
  'bip6',
  'ip-forward-no-drop',
  'allow-direct-routing',
  'bridge-accept-fwmark',
  'host-gateway-ip',
  'host-gateway-ips',
]);
