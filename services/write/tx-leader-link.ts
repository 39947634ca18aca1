// How a transaction served by any node reaches the leader: its commit (buffered row changes,
// read set, snapshot index) and its auto-increment reservations run in the leader's sequencer,
// here when this node leads, else over the leader's internal HTTP routes, which the request
// router finds and forwards to (request-router.ts: a node already forwarded to is never
// forwarded on). The changes travel as an encoded change batch (storage/batch-codec.ts), the
// read set as base64 keys.
import { TideError, ErrorCode } from '../base/errors.js';
import { decodeBatch, encodeBatch } from '../storage/batch-codec.js';
import type { TableVersionLookup } from '../storage/batch-codec.js';
import type { ForwardTarget, Routed } from './request-router.js';
import { ReadSet } from './read-set.js';
import type { KeyRange } from './read-set.js';
import type { CommitRequest, Sequencer } from './sequencer.js';
import type { TxLeader } from './transactions.js';

export const txCommitTarget: ForwardTarget = { method: 'POST', path: '/v1/internal/tx/commit' };
export const txReserveTarget: ForwardTarget = { method: 'POST', path: '/v1/internal/tx/reserve-ids' };
// Row locks go only over a session process's channel (see lockRows): no HTTP route serves them.
export const txLockTarget: ForwardTarget = { method: 'POST', path: '/v1/internal/tx/lock' };
export const txUnlockTarget: ForwardTarget = { method: 'POST', path: '/v1/internal/tx/unlock' };

// What the link needs of the request router.
export interface LeaderRoute {
  route(body: string, forwardedBy: string | undefined, at: ForwardTarget): Promise<Routed>;
}

// A read set as JSON: keys and ranges in base64.
export interface ReadSetBody {
  readonly row_keys: readonly string[];
  readonly row_ranges: readonly (readonly [string, string])[];
  readonly index_ranges: readonly (readonly [string, string])[];
  readonly table_ids: readonly number[];
  readonly locked_row_keys: readonly string[];
}

// A commit request as JSON.
export interface CommitBody extends ReadSetBody {
  readonly snapshot_index: string;
  readonly batch: string;
  // Reads later than the snapshot (sequencer.ts's CommitRequest); absent: none.
  readonly current_reads?: readonly CurrentReadsBody[];
}

export interface CurrentReadsBody extends ReadSetBody {
  readonly index: string;
  readonly written_row_keys: readonly string[];
}

export interface ReserveBody {
  readonly table_id: number;
  readonly count: string;
  readonly floor: string;
}

export interface LockBody {
  readonly owner: string;
  readonly keys: readonly string[];
  readonly read_index: string;
  readonly wait_ms?: number;
}

export interface UnlockBody {
  readonly owner: string;
}

export class TxLeaderLink implements TxLeader {
  constructor(
    private readonly sequencer: Sequencer,
    private readonly tableVersion: TableVersionLookup,
    // None on a single node: it always leads.
    private readonly router?: LeaderRoute,
    // Whether the leader `router` reaches keeps row locks for this node's transactions: a
    // session process's main process does; a cluster's leader is not asked, and a cluster's
    // transactions lock nothing (they stay optimistic, validated at commit as ever).
    private readonly remoteLocks = false,
  ) {}

  commit(request: CommitRequest): Promise<bigint> {
    return this.atLeader(txCommitTarget, encodeCommit(request), () => this.sequencer.commitTransaction(request), (answer) => BigInt(String(answer['index'])));
  }

  reserveAutoIncrement(tableId: number, count: bigint, floor: bigint): Promise<bigint> {
    const body: ReserveBody = { table_id: tableId, count: count.toString(), floor: floor.toString() };
    return this.atLeader(txReserveTarget, body, () => this.sequencer.reserveAutoIncrement(tableId, count, floor), (answer) => BigInt(String(answer['first'])));
  }

  lockRows(owner: string, keys: readonly string[], readIndex: bigint, waitMs?: number): Promise<boolean> {
    if (this.router === undefined) return this.sequencer.lockRows(owner, keys, readIndex, waitMs);
    if (!this.remoteLocks) return Promise.resolve(true);
    const body: LockBody = { owner, keys: base64Keys(keys), read_index: readIndex.toString(), ...(waitMs === undefined ? {} : { wait_ms: waitMs }) };
    return this.atLeader(txLockTarget, body, () => this.sequencer.lockRows(owner, keys, readIndex, waitMs), (answer) => answer['fresh'] === true);
  }

  unlockRows(owner: string): void {
    if (this.router === undefined) return this.sequencer.unlockRows(owner);
    if (!this.remoteLocks) return;
    const body: UnlockBody = { owner };
    // Nothing to wait for: a lost unlock only leaves the rows to the owner's lease.
    this.atLeader(txUnlockTarget, body, () => Promise.resolve(this.sequencer.unlockRows(owner)), () => undefined).catch(() => undefined);
  }

  // The main process's side of a session process's row locks.
  async serveLock(body: LockBody): Promise<{ fresh: boolean }> {
    return { fresh: await this.sequencer.lockRows(body.owner, body.keys.map(keyText), BigInt(body.read_index), body.wait_ms) };
  }

  serveUnlock(body: UnlockBody): Record<string, never> {
    this.sequencer.unlockRows(body.owner);
    return {};
  }

  // The leader's side of the internal routes: a request forwarded here runs only if this node
  // leads (else NOT_LEADER, and the forwarder looks again).
  async serveCommit(body: CommitBody, forwardedBy: string | undefined): Promise<{ index: string }> {
    await this.mustLead(txCommitTarget, body, forwardedBy);
    return { index: (await this.sequencer.commitTransaction(decodeCommit(body, this.tableVersion))).toString() };
  }

  async serveReserve(body: ReserveBody, forwardedBy: string | undefined): Promise<{ first: string }> {
    await this.mustLead(txReserveTarget, body, forwardedBy);
    const count = BigInt(body.count);
    if (count < 1n) throw new TideError('REQUEST_INVALID', 'reserve at least one id');
    return { first: (await this.sequencer.reserveAutoIncrement(body.table_id, count, BigInt(body.floor))).toString() };
  }

  private async mustLead(target: ForwardTarget, body: unknown, forwardedBy: string | undefined): Promise<void> {
    if (this.router === undefined) return;
    const routed = await this.router.route(JSON.stringify(body), forwardedBy ?? 'self', target);
    if (routed.kind !== 'local') throw new TideError('NOT_LEADER', 'this node does not lead');
  }

  private async atLeader<T>(target: ForwardTarget, body: unknown, local: () => Promise<T>, read: (answer: Record<string, unknown>) => T): Promise<T> {
    if (this.router === undefined) return local();
    const routed = await this.router.route(JSON.stringify(body), undefined, target);
    if (routed.kind === 'local') return local();
    const answer = JSON.parse(routed.body) as Record<string, unknown>;
    if (routed.status !== 200) throw errorOf(answer);
    return read(answer);
  }
}

// The leader's error answer, as the error it was there.
function errorOf(answer: Record<string, unknown>): TideError {
  const error = answer['error'] as { code?: unknown; message?: unknown; transaction_rolled_back?: unknown } | undefined;
  const code = typeof error?.code === 'string' && error.code in ErrorCode ? (error.code as ErrorCode) : 'INTERNAL';
  return new TideError(code, typeof error?.message === 'string' ? error.message : 'the leader answered with an error', error?.transaction_rolled_back === true ? { transaction_rolled_back: true } : {});
}

const base64Keys = (texts: Iterable<string>): string[] => [...texts].map((text) => Buffer.from(text, 'latin1').toString('base64'));
const keyText = (base64: string): string => Buffer.from(base64, 'base64').toString('latin1');

function encodeReads(reads: ReadSet): ReadSetBody {
  const ranges = (list: readonly KeyRange[]): [string, string][] => list.map((range) => [range.start.toString('base64'), range.end.toString('base64')]);
  return {
    row_keys: base64Keys(reads.rowKeys),
    row_ranges: ranges(reads.rowRanges),
    index_ranges: ranges(reads.indexRanges),
    table_ids: [...reads.tableIds],
    locked_row_keys: base64Keys(reads.lockedRowKeys),
  };
}

function decodeReads(body: ReadSetBody): ReadSet {
  const reads = new ReadSet();
  for (const key of body.row_keys) reads.rowKeys.add(keyText(key));
  for (const key of body.locked_row_keys) reads.lockedRowKeys.add(keyText(key));
  for (const id of body.table_ids) reads.tableIds.add(id);
  for (const [start, end] of body.row_ranges) reads.rowRanges.push({ start: Buffer.from(start, 'base64'), end: Buffer.from(end, 'base64') });
  for (const [start, end] of body.index_ranges) reads.indexRanges.push({ start: Buffer.from(start, 'base64'), end: Buffer.from(end, 'base64') });
  return reads;
}

function encodeCommit({ snapshotIndex, changes, reads, currentReads }: CommitRequest): CommitBody {
  return {
    snapshot_index: snapshotIndex.toString(),
    batch: encodeBatch({ proposedAtMs: 0, changes }).toString('base64'),
    ...encodeReads(reads),
    ...(currentReads.length === 0 ? {} : { current_reads: currentReads.map((group) => ({ index: group.index.toString(), ...encodeReads(group.reads), written_row_keys: base64Keys(group.writtenRowKeys) })) }),
  };
}

function decodeCommit(body: CommitBody, tableVersion: TableVersionLookup): CommitRequest {
  const snapshotIndex = BigInt(body.snapshot_index);
  const currentReads = (body.current_reads ?? []).map((group) => ({ index: BigInt(group.index), reads: decodeReads(group), writtenRowKeys: new Set(group.written_row_keys.map(keyText)) }));
  if (currentReads.some((group) => group.index < snapshotIndex)) throw new TideError('REQUEST_INVALID', "a transaction's current reads are of an index older than its snapshot");
  let changes;
  try {
    changes = decodeBatch(Buffer.from(body.batch, 'base64'), tableVersion).changes;
  } catch (error) {
    if (error instanceof TideError) throw error;
    // A table version the leader has not applied yet (it lags its own commit index briefly).
    if (error instanceof Error && /unknown table/.test(error.message)) {
      throw new TideError('TX_CONFLICT', 'the transaction names a table version the leader does not know yet; run it again');
    }
    throw new TideError('REQUEST_INVALID', "the transaction's changes do not decode as a change batch");
  }
  return { snapshotIndex, changes, reads: decodeReads(body), currentReads };
}
