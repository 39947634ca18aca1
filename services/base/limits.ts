// Every queue, batch and loop in TideDB has a bound, and every bound lives here, with its
// unit last in its name. The asserts at the bottom state how the bounds depend on each other.
import { assert } from './assert.js';

// HTTP: the largest request body accepted, and the most statements one request may carry.
export const requestBytesMax = 1 * 1024 * 1024;
export const statementsPerRequestMax = 1_000;
export const paramsPerStatementMax = 10_000;

// A change batch is one Raft entry; a bigger one would stall replication and the fsync of
// every write queued behind it.
export const batchBytesMax = 4 * 1024 * 1024;
// The lsn of a change is (raft index << lsnChangeBits) | its place in the entry.
export const lsnChangeBits = 20;
export const changesPerBatchMax = (1 << lsnChangeBits) - 1;

// Group commit: entries written by one fsync. Bounded so that one flush stays short.
export const entriesPerFlushMax = 4_096;
export const flushBytesMax = 16 * 1024 * 1024;
// The log rolls to a new segment file past this size; whole segments below the applied index
// are deleted, since LMDB then holds their effect.
export const logSegmentBytesMax = 64 * 1024 * 1024;
// How often log segments behind the state machine's durable state are looked for and dropped.
export const logCompactionIntervalMs = 10_000;

// SQL
export const sqlCacheEntriesMax = 1_000;
export const sqlCacheTextLengthMax = 4_096;
export const columnsPerTableMax = 1_000;
export const varcharLengthMax = 65_535;
export const rowsPerResultMax = 100_000;

// CDC publisher
export const kafkaMessageBytesMax = 8 * 1024 * 1024;
export const publishChangesPerRoundMax = 1_000;
export const publishRetryDelayMsMin = 100;
export const publishRetryDelayMsMax = 5_000;

// Raft's clock: the driver steps the core once per tick.
export const tickMs = 100;

assert(batchBytesMax <= kafkaMessageBytesMax);
assert(batchBytesMax <= flushBytesMax); // one entry always fits in one flush
assert(requestBytesMax <= batchBytesMax);
