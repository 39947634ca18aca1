// Every queue, batch and loop in TideDB has a bound, and every bound lives here, with its
// unit last in its name. The asserts at the bottom state how the bounds depend on each other.
import { assert } from './assert.js';

// HTTP: what one client may hold of the server (http/connection-bounds.ts says how each is
// enforced; the first four are defaults that flags override). A request from a well-behaved
// client arrives in milliseconds, so one still arriving after 10 s is stalled or hostile. Each
// connection is a file descriptor: 1,024 leaves room for the log and LMDB files under the
// process's limit.
export const requestTimeoutMsDefault = 10_000;
export const headersTimeoutMsDefault = 5_000;
export const keepAliveTimeoutMsDefault = 5_000;
export const httpConnectionsMaxDefault = 1_024;
// Request line and headers together: Node's own default, stated here so that a `node
// --max-http-header-size` flag cannot raise it unseen. Beyond it: 413 and close.
export const requestHeaderBytesMax = 16 * 1024;
// Messages often quote what the client sent (an identifier, a URL, a token of SQL). Quoting
// it whole would let a 500 KB identifier come back as a 500 KB error and be written to every
// log on the way, so every message leaving the node is cut to this many characters.
export const errorMessageLengthMax = 256;

// The largest request body accepted, and the most statements one request may carry.
export const requestBytesMax = 1 * 1024 * 1024;
export const statementsPerRequestMax = 1_000;
export const paramsPerStatementMax = 10_000;

// A change batch is one Raft entry; a bigger one would stall replication and the fsync of
// every write queued behind it.
export const batchBytesMax = 4 * 1024 * 1024;
// Entries with fewer changes than this apply in one synchronous LMDB transaction (a few
// milliseconds); bigger ones in a transaction that yields to the event loop between changes.
export const changesPerSyncApplyMax = 512;
// The lsn of a change is (raft index << lsnChangeBits) | its place in the entry.
export const lsnChangeBits = 20;
export const changesPerBatchMax = (1 << lsnChangeBits) - 1;

// Group commit: entries written by one fsync. Bounded so that one flush stays short.
export const entriesPerFlushMax = 4_096;
export const flushBytesMax = 16 * 1024 * 1024;
// The log rolls to a new segment file past this size; whole segments below the applied index
// are deleted, since LMDB then holds their effect.
export const logSegmentBytesMax = 64 * 1024 * 1024;
// Segments are zero-filled ahead of the appends by this much at a time (raft/DESIGN.md).
export const logPreallocateBytes = 1024 * 1024;
// How often log segments behind the state machine's durable state are looked for and dropped.
export const logCompactionIntervalMs = 10_000;

// The longest any synchronous slice of work may hold the event loop. One request's parse, plan,
// execution or apply that would take longer must yield or run elsewhere, or it delays every
// other request, and in a cluster Raft's heartbeats (a slice near the election timeout would
// depose a healthy leader).
export const eventLoopSliceMsMax = 10;

// The shape of one SQL statement. Each limit is checked before the work it protects, has its
// own error code, and sits well above what real SQL needs (the public sqllogictest corpus has
// statements of 4.5k characters, 255 AND/OR terms and nesting depth 30).
export const statementLengthMax = 512 * 1024;
// Parentheses, function calls, subqueries and prefix operators (NOT, -) inside one another:
// the parser and planner recurse once per level.
export const expressionNestingMax = 128;
// Operands joined by binary operators in one expression (`1 + 1 + … + 1` has as many terms as
// ones): the planner and evaluator recurse along the chain.
export const expressionTermsMax = 1_000;
// Items of one IN (…) list: the parser's cost grows fast with them (140k took 2 s).
export const inListItemsMax = 10_000;
// Nesting of the parsed statement as a tree of objects; it bounds every recursive walk over it
// (plan, evaluate, print) whatever shape produced the depth, such as a chain of the most terms
// nested in another: the deepest shape the event loop's stack was shown to plan and run.
export const syntaxTreeDepthMax = 2_500;
// Statement texts up to this length are parsed on the event loop (well under a millisecond
// each when cached, a few when not); longer ones on a worker thread, so that a 1 MiB statement
// (seconds of parsing) never holds the loop.
export const parseOnLoopCharsMax = 2_048;
// Characters of statement text waiting for the parse worker (seconds of parsing at its rate of
// about half a megabyte a second); past it requests are refused until it catches up.
export const parseQueueCharsMax = 4 * 1024 * 1024;

// SQL
export const sqlCacheEntriesMax = 1_000;
export const sqlCacheTextLengthMax = 4_096;
export const columnsPerTableMax = 1_000;
export const varcharLengthMax = 65_535;
export const rowsPerResultMax = 100_000;
// A result's size as the JSON it becomes, roughly: past it the answer could not even be built
// as one string (V8 caps strings near 512 MiB), and would hold the loop while it was.
export const resultBytesMax = 32 * 1024 * 1024;
// The rows one query may hold at once while it runs (hash-join build sides, sorts, groups,
// DISTINCT sets, subquery results), as estimated by sql/select/memory-budget.ts. Past it the
// query fails with QUERY_MEMORY_EXCEEDED; a few such queries at once still leave the node's
// heap room, where an unbounded one would crash it.
export const queryMemoryBytesMax = 128 * 1024 * 1024;

// CDC publisher
export const kafkaMessageBytesMax = 8 * 1024 * 1024;
export const publishChangesPerRoundMax = 1_000;
export const publishRetryDelayMsMin = 100;
export const publishRetryDelayMsMax = 5_000;

// Raft's clock: the driver steps the core once per tick.
export const tickMs = 100;
// A follower that hears no leader for a timeout drawn from [electionTicks, 2 × electionTicks)
// campaigns; the spread makes a split vote unlikely to repeat. A leader that has not heard
// from a quorum within electionTicks steps down (CheckQuorum), and a node that heard from a
// leader within electionTicks ignores (pre)votes (leader stickiness).
export const electionTicks = 10;
// A leader sends heartbeats every heartbeatTicks: several per election timeout, so that a lost
// heartbeat or two does not start an election.
export const heartbeatTicks = 1;
// Appends a leader streams to one follower ahead of its acknowledgements (the replicate state):
// enough to keep a link busy for a round trip, and bounded so that a slow follower costs the
// leader at most appendsInFlightMax × appendBytesMax of queued sends.
export const appendsInFlightMax = 64;
// One append carries at most this many entries and bytes of their data (a single larger entry
// still goes alone): a big backlog goes out in pieces that interleave with heartbeats.
export const appendBytesMax = 1 * 1024 * 1024;
export const entriesPerAppendMax = 1_024;

assert(heartbeatTicks < electionTicks); // otherwise followers campaign under a live leader
assert(appendsInFlightMax >= 1);
assert(batchBytesMax <= kafkaMessageBytesMax);
assert(batchBytesMax <= flushBytesMax); // one entry always fits in one flush
assert(requestBytesMax <= batchBytesMax);
assert(parseOnLoopCharsMax <= sqlCacheTextLengthMax); // what the loop parses, the cache may keep
assert(statementLengthMax <= requestBytesMax);
assert(resultBytesMax <= queryMemoryBytesMax); // a result the budget allows can still be sent
assert(requestBytesMax <= parseQueueCharsMax); // a request's texts always fit an empty queue
