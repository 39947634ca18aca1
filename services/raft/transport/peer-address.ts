// A peer's address as configured: "host:port", the host a name, an IPv4 address or an IPv6
// address in brackets ("[::1]:4201"). Checked when the peer set is given, so that a typo is
// an error then rather than a link that silently never comes up.
import { TideError } from '../../base/errors.js';

export interface PeerAddress {
  readonly host: string;
  readonly port: number;
}

export function parsePeerAddress(text: string): PeerAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:\[\]\s]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (host === undefined || !(port >= 1 && port <= 65_535)) {
    throw new TideError('PEER_CONFIG_INVALID', `peer address '${text}' is not host:port (an IPv6 host in brackets)`);
  }
  return { host, port };
}

export function sameAddress(a: PeerAddress, b: PeerAddress): boolean {
  return a.host === b.host && a.port === b.port;
}
