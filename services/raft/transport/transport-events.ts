// What a transport reports about its links, for logs and tests: each is a fact a peer or an
// operator can act on (a link that never comes up because of a wrong secret, a queue that
// overflows toward a slow peer). Reported synchronously; a handler must not throw.
export type LinkDirection = 'outbound' | 'inbound';

export type TransportEvent =
  | { readonly kind: 'linkUp'; readonly peerId: number; readonly direction: LinkDirection }
  // `opened`: whether the link had passed its handshake. `error`: why this side closed it —
  // a TideError with a PEER_* code when the peer broke a rule, a socket error otherwise, null
  // when the peer or this node closed it cleanly.
  | {
      readonly kind: 'linkDown';
      readonly peerId: number | null;
      readonly direction: LinkDirection;
      readonly opened: boolean;
      readonly error: Error | null;
    }
  | { readonly kind: 'dropped'; readonly peerId: number; readonly direction: LinkDirection; readonly reason: DropReason };

// queueFull: the peer's send queue was at a bound. unknownPeer: a message to a node that is
// not a peer. notFromPeer: a message whose sender is not the node that authenticated the link,
// or not a peer any more, or that is addressed to another node. noReceiver: no onMessage yet.
export type DropReason = 'queueFull' | 'unknownPeer' | 'notFromPeer' | 'noReceiver';
