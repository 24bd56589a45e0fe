import { BlockList, isIP } from 'node:net';

/**
 * SSRF safety for webhook targets (pure): a site admin chooses the URL, the platform's worker calls it from inside
 * the network. So only http(s), no credentials in the URL, and — unless the operator's switch allows it (tests, the
 * embedded default) — never a loopback, private, link-local, shared, multicast or reserved address. The adapter
 * checks again, against every address the name resolves to, at connection time (a DNS answer can change).
 */
const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  blocked.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  blocked.addSubnet(net, prefix, 'ipv6');

/** Whether an IP address (v4 or v6, IPv4-mapped v6 included) is one a webhook must never reach in production. */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const kind = isIP(bare);
  if (kind === 4) return blocked.check(bare, 'ipv4');
  if (kind === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped) return blocked.check(mapped[1]!, 'ipv4');
    return blocked.check(bare, 'ipv6');
  }
  return false;
}

export type TargetProblem = 'SCHEME' | 'CREDENTIALS' | 'PRIVATE_ADDRESS' | 'MALFORMED';

/** What is wrong with a webhook URL as written (before any DNS look-up), or null. */
export function webhookTargetProblem(raw: string, allowPrivate: boolean): TargetProblem | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'MALFORMED';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'SCHEME';
  if (url.username || url.password) return 'CREDENTIALS';
  if (allowPrivate) return null;
  const host = url.hostname.toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return 'PRIVATE_ADDRESS';
  return isPrivateAddress(host) ? 'PRIVATE_ADDRESS' : null;
}
