/**
 * The ssh options docknet puts on every hop it renders or runs (the docker provider's ssh_opts,
 * verify, import), and the check of the options a topology adds (`sshOpts`).
 *
 * ssh keeps the FIRST value it reads for an option, command line before any config file. So
 * docknet's host-key options come first, and a user's option that would change how the host key
 * is checked is refused rather than ordered: whatever the order, `-F file` (a config file: any
 * option), a jump host (its own hop is checked against ~/.ssh/known_hosts, not the declared key),
 * a control master (reuses a connection whose key was checked by someone else) or HostName (another
 * machine answering for the declared key's name) would get around it. The user's options are an
 * allow-list: what is not on it is refused with the reason, so a new ssh option cannot slip past.
 */

/** Options (lower case, as ssh compares them) that decide which host key is trusted. */
export const HOST_KEY_OPTIONS: ReadonlySet<string> = new Set([
  'stricthostkeychecking', 'userknownhostsfile', 'globalknownhostsfile', 'knownhostscommand',
  'verifyhostkeydns', 'hostkeyalias', 'checkhostip', 'updatehostkeys', 'hashknownhosts',
  'nohostauthenticationforlocalhost', 'revokedhostkeys',
]);

/** Options that send the hop somewhere else or run it through something docknet's keys do not cover. */
const ROUTE_OPTIONS: Readonly<Record<string, string>> = {
  proxyjump: 'the jump host\'s own hop is checked against ~/.ssh/known_hosts, not a declared key',
  proxycommand: 'the command makes its own connection (another ssh without docknet\'s host key options)',
  proxyusefdpass: 'it belongs to ProxyCommand',
  hostname: 'another machine would answer for the declared host\'s key',
  controlmaster: 'a shared connection is reused without its host key being checked again',
  controlpath: 'a shared connection is reused without its host key being checked again',
  controlpersist: 'a shared connection is reused without its host key being checked again',
  include: 'a config file can set any option, the host key ones included',
  match: 'a config block can set any option, the host key ones included',
  host: 'a config block can set any option, the host key ones included',
  canonicalizehostname: 'the host is looked up again under another name',
  localcommand: 'it runs a local command with the connection',
  permitlocalcommand: 'it runs a local command with the connection',
  user: 'give the user with HostConnection.ssh({ user })',
  port: 'give the port with HostConnection.ssh({ port })',
};

/** ssh options a topology may add (lower case). Nothing here changes which host key is trusted. */
const ALLOWED_OPTIONS: ReadonlySet<string> = new Set([
  'addressfamily', 'addkeystoagent', 'batchmode', 'bindaddress', 'bindinterface', 'certificatefile',
  'ciphers', 'compression', 'connectionattempts', 'connecttimeout', 'fingerprinthash', 'hostkeyalgorithms',
  'identitiesonly', 'identityagent', 'identityfile', 'ipqos', 'kbdinteractiveauthentication', 'kexalgorithms',
  'loglevel', 'macs', 'numberofpasswordprompts', 'passwordauthentication', 'preferredauthentications',
  'pubkeyacceptedalgorithms', 'pubkeyacceptedkeytypes', 'pubkeyauthentication', 'rekeylimit',
  'serveralivecountmax', 'serveraliveinterval', 'tcpkeepalive',
]);

/** ssh's own flags (OpenSSH ssh.c getopt string): those without and those with an argument. */
const FLAGS_NO_ARG = new Set('1246afgknqstvxACGKMNTVXYy'.split(''));
const FLAGS_WITH_ARG = new Set('bceilmopBDEFIJLOPQRSWw'.split(''));
/** Flags a topology may add: address family, compression, quiet/verbose, identity file, ciphers, MACs, bind address/interface. */
const ALLOWED_FLAGS = new Set(['4', '6', 'C', 'q', 'v', 'i', 'c', 'm', 'b', 'B', 'o']);
const FLAG_REASONS: Readonly<Record<string, string>> = {
  F: 'a config file can set any option, the host key ones included',
  J: 'the jump host\'s own hop is checked against ~/.ssh/known_hosts, not a declared key',
  S: 'a shared connection is reused without its host key being checked again',
  M: 'a shared connection is reused without its host key being checked again',
  O: 'it controls a shared connection',
  G: 'it prints the configuration and connects nowhere',
  p: 'give the port with HostConnection.ssh({ port })',
  l: 'give the user with HostConnection.ssh({ user })',
  A: 'it hands the operator\'s ssh agent to the host',
  L: 'it forwards ports', R: 'it forwards ports', D: 'it forwards ports', W: 'it forwards the connection',
};

/** One -o value: its keyword and value ("Key=value", "Key value", "Key = value"). */
function splitOption(arg: string): { keyword: string; value: string } {
  const m = /^\s*"?([^\s="]*)"?\s*=?\s*(.*)$/s.exec(arg);
  return { keyword: (m?.[1] ?? '').toLowerCase(), value: (m?.[2] ?? '').trim() };
}

const FIX = 'Declare the host\'s sshd key with hostKey (docknet then trusts exactly it, on every hop); put options that choose a route or a config in ~/.ssh/config of the machine that runs terraform, never in the topology.';

/**
 * What is wrong with user ssh options, one sentence per problem ("given / why / fix"): every flag
 * and every -o keyword is read the way ssh's getopt and config parser read them (combined flags
 * such as `-Co X=y`, `-oX=y`, `-o "X y"`, any letter case).
 */
export function sshOptsProblems(opts: readonly unknown[]): string[] {
  const out: string[] = [];
  const refuse = (given: string, why: string) => out.push(`sshOpts ${given} is refused: ${why}. ${FIX}`);
  for (let i = 0; i < opts.length; i++) {
    const a = opts[i];
    if (typeof a !== 'string') {
      out.push(`sshOpts[${i}] is ${a === null ? 'null' : typeof a}, expected a string such as "-o" or "ConnectTimeout=10".`);
      continue;
    }
    if (!a.startsWith('-') || a === '-' || a === '--') {
      refuse(JSON.stringify(a), a === '--' ? 'it ends ssh\'s options, so what follows would be the destination' : 'it is not an option: ssh would take it as the host to connect to');
      continue;
    }
    // getopt: a cluster of letters, the first one taking an argument eats the rest or the next element.
    for (let j = 1; j < a.length; j++) {
      const f = a[j];
      if (FLAGS_NO_ARG.has(f)) {
        if (!ALLOWED_FLAGS.has(f)) refuse(`-${f}`, FLAG_REASONS[f] ?? 'it is not one of the flags docknet passes on (-4, -6, -C, -q, -v, -i, -c, -m, -b, -B, -o)');
        continue;
      }
      if (!FLAGS_WITH_ARG.has(f)) {
        refuse(JSON.stringify(a), `"-${f}" is not an ssh option`);
        break;
      }
      let arg: unknown;
      if (j + 1 < a.length) arg = a.slice(j + 1);
      else arg = opts[++i];
      if (typeof arg !== 'string') {
        refuse(`-${f}`, 'it has no value');
        break;
      }
      if (!ALLOWED_FLAGS.has(f)) refuse(`-${f} ${JSON.stringify(arg)}`, FLAG_REASONS[f] ?? 'it is not one of the flags docknet passes on (-4, -6, -C, -q, -v, -i, -c, -m, -b, -B, -o)');
      else if (f === 'o') {
        const { keyword, value } = splitOption(arg);
        const shown = `-o ${JSON.stringify(arg)}`;
        if (HOST_KEY_OPTIONS.has(keyword)) refuse(shown, 'it changes which host key ssh trusts, and docknet\'s own host key options must be the ones in force');
        else if (ROUTE_OPTIONS[keyword]) refuse(shown, ROUTE_OPTIONS[keyword]);
        else if (!ALLOWED_OPTIONS.has(keyword)) refuse(shown, `"${keyword}" is not one of the options docknet passes on (${[...ALLOWED_OPTIONS].join(', ')})`);
        else if (value === '' || /[\s"]/.test(value)) refuse(shown, 'its value is empty or holds spaces or quotes (ssh would read more than one value)');
      }
      break;
    }
  }
  return out;
}

/** ssh's known_hosts name of a host: "[host]:port" when the port is not 22. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/**
 * Host-key options that do not depend on the keys, pinned on every hop (provider, verify, the
 * hosts stack's scripts) so no ssh config file can weaken them: ssh's command line wins over
 * ~/.ssh/config. VerifyHostKeyDNS=yes would trust a key from DNS (SSHFP) that was never
 * declared; NoHostAuthenticationForLocalhost=yes would skip the check for a tunnel to localhost.
 */
export const PINNED_HOST_KEY_OPTIONS: readonly string[] = [
  '-o', 'StrictHostKeyChecking=yes', '-o', 'VerifyHostKeyDNS=no', '-o', 'NoHostAuthenticationForLocalhost=no',
];

/**
 * docknet's host-key options for a hop to host:port that trusts exactly `keys` (KnownHostsCommand,
 * OpenSSH 8.5+, prints them; no known_hosts file is read; DNS is not asked). They go FIRST.
 */
export function hostKeyOptions(host: string, port: number, keys: readonly string[]): string[] {
  // ssh expands % tokens in KnownHostsCommand: %% is a literal %.
  const lines = keys.map((k) => `'${knownHostsName(host, port)} ${k}'`).join(' ');
  return [
    '-o', 'StrictHostKeyChecking=yes', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', `KnownHostsCommand=/usr/bin/printf %%s\\n ${lines}`, '-o', 'VerifyHostKeyDNS=no', '-o', 'NoHostAuthenticationForLocalhost=no',
  ];
}

/**
 * Host-key options for a hop checked against known_hosts files the operator has verified
 * (`docknet import --known-hosts`): those files only, no global file, no KnownHostsCommand from a
 * config file. They go FIRST, like hostKeyOptions.
 */
export function knownHostsFileOptions(files: readonly string[]): string[] {
  return [
    '-o', 'StrictHostKeyChecking=yes', '-o', `UserKnownHostsFile=${files.join(' ')}`, '-o', 'GlobalKnownHostsFile=/dev/null',
    '-o', 'KnownHostsCommand=none', '-o', 'VerifyHostKeyDNS=no', '-o', 'NoHostAuthenticationForLocalhost=no',
  ];
}

/** The shape of hostKeyOptions' KnownHostsCommand: printf of quoted "name type base64" lines, nothing else. */
const OWN_KNOWN_HOSTS_COMMAND = /^KnownHostsCommand=\/usr\/bin\/printf %%s\\n( '[^'\s]+ [a-z0-9@.-]+ [A-Za-z0-9+/]+=*')+$/;
const OWN_BLOCK_LENGTH = hostKeyOptions('h', 22, ['ssh-ed25519 AAAA']).length;

/**
 * Problems with ssh options read back from a synthesized ssh:// provider (verify, swarm-replace):
 * they must begin with exactly docknet's own host-key block (hostKeyOptions, element by element)
 * and the rest must pass the same allow-list as a topology's sshOpts. Only docknet's own block is
 * skipped: a host-key option after it (a hand-edited cdk.tf.json) is refused, not obeyed.
 */
export function renderedSshOptsProblems(opts: readonly string[]): string[] {
  const own = hostKeyOptions('h', 22, ['ssh-ed25519 AAAA']);
  const block = opts.slice(0, OWN_BLOCK_LENGTH);
  const ours = block.length === own.length && block.every((o, i) => (own[i].startsWith('KnownHostsCommand=') ? OWN_KNOWN_HOSTS_COMMAND.test(o) : o === own[i]));
  if (!ours) {
    return [`ssh_opts do not begin with docknet's host key options (given: ${JSON.stringify(block.slice(0, 4))}...), expected StrictHostKeyChecking=yes, UserKnownHostsFile=/dev/null, GlobalKnownHostsFile=/dev/null, KnownHostsCommand with the declared keys, VerifyHostKeyDNS=no and NoHostAuthenticationForLocalhost=no first. Synthesize again with this docknet, with the host's hostKey declared; never edit cdk.tf.json by hand.`];
  }
  // What follows (docknet's ConnectTimeout, then the topology's sshOpts) is checked as sshOpts are.
  return sshOptsProblems(opts.slice(OWN_BLOCK_LENGTH));
}
