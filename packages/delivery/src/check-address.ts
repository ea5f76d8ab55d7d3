import ipaddr from 'ipaddr.js';

/**
 * Why an address may not be a webhook target, or undefined when it may: only public unicast addresses pass.
 * Refused: loopback, private (RFC 1918), link-local (cloud metadata lives at 169.254.169.254), CGNAT, unique-local
 * (fc00::/7), multicast, unspecified, reserved and documentation ranges, and IPv6 forms that carry an IPv4
 * address (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4, Teredo), whatever IPv4 address they carry.
 * `isPrivateAllowed` (WEBHOOK_ALLOW_PRIVATE_TARGETS) lets every address through.
 */
export function refusedAddressReason(address: string, isPrivateAllowed: boolean): string | undefined {
  if (isPrivateAllowed) return undefined;
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(address.replace(/^\[|\]$/g, '').replace(/%.*$/, ''));
  } catch {
    return `not an IP address`;
  }
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress())
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  const range = parsed.range();
  return range === 'unicast' ? undefined : `${parsed.toString()} is in a ${range} range`;
}
