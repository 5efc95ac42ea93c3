// The configuration files of the test hosts: each host's sshd_config and the
// client ssh_config the tests hand to kiln.

export interface SshdConfigInput {
  readonly address: string;
  readonly hostKey: string;
  readonly pidFile: string;
  readonly authorizedKeys: string;
  readonly user: string;
  /** Replaces the login PATH (fault injection); undefined keeps sshd's default. */
  readonly path?: string;
}

export function sshdConfig(c: SshdConfigInput): string {
  return [
    'Port 22',
    `ListenAddress ${c.address}`,
    `HostKey ${c.hostKey}`,
    `PidFile ${c.pidFile}`,
    `AuthorizedKeysFile ${c.authorizedKeys}`,
    `AllowUsers ${c.user} root`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PermitRootLogin prohibit-password',
    // A locked account (`!`) is refused with UsePAM no; the harness sets `*`.
    'UsePAM no',
    'StrictModes no',
    'ClientAliveInterval 5',
    'ClientAliveCountMax 3',
    'MaxStartups 100:30:200',
    'MaxSessions 64',
    ...(c.path === undefined ? [] : [`SetEnv PATH=${c.path}`]),
    '',
  ].join('\n');
}

export interface ClientConfigInput {
  readonly hosts: ReadonlyArray<{ readonly name: string; readonly address: string }>;
  readonly user: string;
  readonly identityFile: string;
  readonly knownHosts: string;
}

/** A complete client config: ssh reads no other when given `-F`. */
export function clientConfig(c: ClientConfigInput): string {
  const aliases = c.hosts.flatMap((h) => [`Host ${h.name}`, `  HostName ${h.address}`]);
  return [
    '# Made by test/support/netns-hosts.ts for hosts in network namespaces.',
    ...aliases,
    'Host *',
    `  User ${c.user}`,
    `  IdentityFile ${c.identityFile}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${c.knownHosts}`,
    '  GlobalKnownHostsFile /dev/null',
    '  StrictHostKeyChecking yes',
    '  CheckHostIP no',
    '  BatchMode yes',
    '  ConnectTimeout 5',
    // The default post-quantum kex costs ~85 ms of every cold connect (PLATFORM.md).
    '  KexAlgorithms curve25519-sha256',
    '  LogLevel ERROR',
    '',
  ].join('\n');
}
