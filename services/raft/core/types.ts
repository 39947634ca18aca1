// The data the Raft core consumes and produces. Indexes and terms are bigint: they only grow
// and a long-lived cluster may pass 2^53.

export type EntryKind = 'noop' | 'batch';

export interface LogEntry {
  readonly index: bigint;
  readonly term: bigint;
  // 'noop' is the entry a new leader appends to commit its predecessors' entries; 'batch'
  // carries an encoded change batch the core never looks into.
  readonly kind: EntryKind;
  readonly data: Uint8Array;
}

// What must be on disk before the node sends or acts on anything of the term.
export interface HardState {
  readonly term: bigint;
  readonly votedFor: number | null;
}

export type RaftInput =
  | { readonly kind: 'tick' }
  | { readonly kind: 'propose'; readonly data: Uint8Array }
  // The driver has fsynced the log up to `index` (entries of `term`).
  | { readonly kind: 'persisted'; readonly index: bigint; readonly term: bigint };

// Order matters: persist hardState and entries, then send, then apply.
export interface Ready {
  readonly hardState: HardState | null;
  readonly entriesToPersist: readonly LogEntry[];
  readonly entriesToApply: readonly LogEntry[];
  // The index given to a proposal, or null when this node cannot accept it.
  readonly proposedIndex: bigint | null;
}
