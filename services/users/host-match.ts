// MySQL's host patterns: which account's host matches a client's address, and which of several
// matching accounts is the most specific. '%' matches every address, 'localhost' the loopback
// ones, a pattern with '%' or '_' as LIKE does ('192.168.%'), anything else the address exactly.
// As MySQL sorts its user table, the most specific host wins: an exact host before a pattern,
// a pattern with a longer literal start before a shorter one, '%' last.

// The address as a client's socket reports it, with an IPv4 address mapped into IPv6 written
// as IPv4 (Node reports '::ffff:10.0.0.1' on a dual-stack listener).
export function plainAddress(remoteAddress: string): string {
  return remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.') ? remoteAddress.slice('::ffff:'.length) : remoteAddress;
}

export function isLoopback(remoteAddress: string): boolean {
  const address = plainAddress(remoteAddress);
  return address === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(address);
}

export function hostMatches(pattern: string, remoteAddress: string): boolean {
  const address = plainAddress(remoteAddress);
  if (pattern === '%') return true;
  if (pattern.toLowerCase() === 'localhost') return isLoopback(address);
  if (!/[%_]/.test(pattern)) return pattern.toLowerCase() === address.toLowerCase();
  return likePattern(pattern).test(address);
}

// Lower ranks first: how specific a host pattern is.
export function hostSpecificity(pattern: string): number {
  const wildcardAt = pattern.search(/[%_]/);
  if (wildcardAt < 0) return 0;
  // A longer literal start is more specific; '%' (start 0) comes last.
  return 1 + (hostLengthRank - wildcardAt);
}

// Above any host pattern's length (account-syntax.ts caps them at 255).
const hostLengthRank = 256;

function likePattern(pattern: string): RegExp {
  const body = [...pattern].map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 'i');
}
