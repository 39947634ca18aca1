// Every queue, batch and loop in TideDB has a bound, and every bound lives here, with its
// unit last in its name. The asserts at the bottom state how the bounds depend on each other.
import { assert } from './assert.js';

// HTTP: what one client may hold of the server (http/connection-bounds.ts says how each is
// enforced; the first four are defaults that flags override). A request from a well-behaved
// client arrives in milliseconds, so one still arriving after 10 s is stalled or hostile. Each
// connection is a file descriptor: 2,048 leaves room for the log and LMDB files under a usual
// process limit, and sits above the change streams' own cap so that a node serving all the
// streams it allows still answers SQL.
export const requestTimeoutMsDefault = 10_000;
export const headersTimeoutMsDefault = 5_000;
export const keepAliveTimeoutMsDefault = 5_000;
export const httpConnectionsMaxDefault = 2_048;
// Request line and headers together: Node's own default, stated here so that a `node
// --max-http-header-size` flag cannot raise it unseen. Beyond it: 413 and close.
export const requestHeaderBytesMax = 16 * 1024;
// Messages often quote what the client sent (an identifier, a URL, a token of SQL). Quoting
// it whole would let a 500 KB identifier come back as a 500 KB error and be written to every
// log on the way, so every message leaving the node is cut to this many characters.
export const errorMessageLengthMax = 256;

// MySQL protocol (mysql/DESIGN.md): the largest packet (max_allowed_packet) a client may send,
// refused from its header with 1153 before its bytes are held; open connections (beyond: 1040
// Too many connections), each a file descriptor and a session, counted apart from HTTP's; how
// long a client has to finish the handshake (a silent one is closed, as MySQL's
// connect_timeout does); and the prepared statements one connection may hold (MySQL's
// max_prepared_stmt_count, per connection here: beyond it, 1461).
export const mysqlPacketBytesMax = 4 * 1024 * 1024;
export const mysqlConnectionsMaxDefault = 1_024;
export const mysqlHandshakeTimeoutMs = 10_000;
export const mysqlPreparedStatementsMax = 1_024;

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
// An index build (or drop) reads this many rows (entries) at a time between its slices, so no
// LMDB cursor stays open while other work runs in the same transaction.
export const indexBuildChunkEntries = 256;
// The lsn of a change is (raft index << lsnChangeBits) | its place in the entry.
export const lsnChangeBits = 20;
export const changesPerBatchMax = (1 << lsnChangeBits) - 1;
// FOREIGN KEY cascades (ON DELETE/UPDATE CASCADE, SET NULL) nest at most this deep, MySQL's
// bound (3008): each level recurses once on the leader's stack.
export const foreignKeyCascadeDepthMax = 15;

// Interactive transactions (write/transactions.ts). Each open one holds an LMDB read
// transaction, which takes a reader slot and pins the pages of its snapshot: the node allows
// this many at once (a default a flag overrides; TX_LIMIT past it), of at most lmdbReadersMax
// slots, the rest left to change streams' and Raft snapshots' reads.
export const txOpenMaxDefault = 256;
export const lmdbReadersMax = 1_024;
// An idle transaction (no statement, commit or rollback for this long) is rolled back and its
// handle forgotten (a flag overrides it); one open longer than txAgeMsMax, busy or not, too:
// a snapshot held for long keeps LMDB from reusing pages and falls out of the conflict window.
export const txIdleMsDefault = 30_000;
export const txAgeMsMax = 10 * 60_000;
// How long a repeatable-read statement waits for a row lock (write/row-locks.ts) before it
// fails with LOCK_WAIT_TIMEOUT: InnoDB's innodb_lock_wait_timeout, whose default this is.
export const lockWaitMsDefault = 50_000;
// A transaction's buffered row changes, checked after each statement (TX_TOO_LARGE): the batch
// it commits as must fit one entry.
export const txChangesMaxDefault = 100_000;
// The leader keeps the write sets of this many recent entries to validate commits against
// (write/conflict-window.ts); a transaction whose snapshot is older is "too old" (TX_CONFLICT,
// retriable). Also bounded in keys: an entry's write set holds at most as many keys as the
// batch has changes and index entries.
export const conflictWindowEntriesMax = 10_000;
export const conflictWindowKeysMax = 200_000;
// A transaction's read set keeps at most this many point keys, row ranges and index ranges
// each; past it, reads of a table or index are recorded as all of it (write/read-set.ts), so
// a commit stays small to send to the leader and quick to check.
export const txReadSetEntriesMax = 10_000;
// Auto-increment ids a node reserves at once through the log for a table, for the
// transactions it serves (write/id-blocks.ts): one round trip serves this many ids.
export const autoIncrementBlockIds = 100;

// Group commit: entries written by one fsync. Bounded so that one flush stays short.
export const entriesPerFlushMax = 4_096;
export const flushBytesMax = 16 * 1024 * 1024;
// The log rolls to a new segment file past this size; whole segments below the last LMDB
// checkpoint's applied index are deleted, since LMDB then holds their effect durably.
export const logSegmentBytesMax = 64 * 1024 * 1024;
// Segments are zero-filled ahead of the appends by this much at a time (raft/DESIGN.md).
export const logPreallocateBytes = 1024 * 1024;
// How often log segments behind the state machine's durable state are looked for and dropped.
export const logCompactionIntervalMs = 10_000;
// How often LMDB is synced and its meta pages recorded (storage/lmdb-checkpoint.ts): the Raft
// log is kept back to the last one, an unclean stop replays the log from it, and LMDB cannot
// reuse pages freed since the one before, so the file grows by up to two intervals of churn. One fdatasync
// a second, off the loop, against one per commit group before.
export const lmdbCheckpointIntervalMs = 1_000;
// In a cluster, entries kept in the Raft log behind the checkpointed index when segments are
// dropped: a follower that fell this far behind (a restart, a short partition) catches up from
// the log; one further behind is sent a snapshot of the state instead.
export const logCompactionKeepEntries = 10_000n;

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
// …and up to this many tokens: the parser's time follows tokens, not characters, and a dense
// text is a token every two characters (`SELECT ?,?,?…` of 2 KB took 40 ms). At this count the
// slowest shape measured parses in under 10 ms.
export const parseOnLoopTokensMax = 400;
// Characters of statement text waiting for the parse worker (seconds of parsing at its rate of
// about half a megabyte a second); past it requests are refused until it catches up.
export const parseQueueCharsMax = 4 * 1024 * 1024;

// SQL
export const sqlCacheEntriesMax = 1_000;
export const sqlCacheTextLengthMax = 4_096;
// A CHECK constraint's expression, as SQL text: every INSERT and UPDATE of its table parses it
// again on the event loop when the parse cache has let it go, so it stays a short parse.
export const checkExpressionLengthMax = 1_024;
export const columnsPerTableMax = 1_000;
export const varcharLengthMax = 65_535;
// A JSON column's document, in UTF-8 bytes: JSON_EXTRACT parses a document once per row it
// reads, and a document this size parses within one slice of the event loop.
export const jsonDocumentBytesMax = 1024 * 1024;
// The longest string REPEAT, SPACE, LPAD and RPAD build; past it they answer NULL, as MySQL does
// past max_allowed_packet.
export const stringResultCharsMax = 16 * 1024 * 1024;
export const rowsPerResultMax = 100_000;
// DECIMAL(p,s) as MySQL bounds it: p digits in all, s after the point. Division adds
// div_precision_increment digits to the dividend's scale (MySQL's default, 4).
export const decimalPrecisionMax = 65;
export const decimalScaleMax = 30;
export const decimalDivScaleIncrement = 4;
// Fractional seconds digits of TIME, DATETIME and TIMESTAMP (microseconds).
export const fractionalSecondsDigitsMax = 6;
// Secondary indexes, as MySQL's: at most 64 per table, 16 columns per index.
export const indexesPerTableMax = 64;
export const partsPerIndexMax = 16;
// The longest key LMDB stores (lmdb-js's build): a row or index key past it is refused by the
// leader, since apply could not write it.
export const keyBytesMax = 1_978;
// A result's size as the JSON it becomes, roughly: past it the answer could not even be built
// as one string (V8 caps strings near 512 MiB), and would hold the loop while it was.
export const resultBytesMax = 32 * 1024 * 1024;
// The rows one query may hold at once while it runs (hash-join build sides, sorts, groups,
// DISTINCT sets, subquery results), as estimated by sql/select/memory-budget.ts. Past it the
// query fails with QUERY_MEMORY_EXCEEDED; a few such queries at once still leave the node's
// heap room, where an unbounded one would crash it.
export const queryMemoryBytesMax = 128 * 1024 * 1024;
// Iterations of a WITH RECURSIVE query's recursive part, MySQL's cte_max_recursion_depth
// default: a recursion that never ends fails with RECURSION_TOO_DEEP, not on the memory bound.
export const cteRecursionDepthMax = 1000;

// CDC publisher
export const kafkaMessageBytesMax = 8 * 1024 * 1024;
// Changes in one publishing round, which is one Kafka transaction: each costs five round trips
// to the broker whatever its size, so rounds are large (4,000 gave 22% more events/s than
// 1,000 in test/bench/cdc-latency.ts) but bounded, as are their bytes (kafkaMessageBytesMax).
export const publishChangesPerRoundMax = 4_000;
export const publishRetryDelayMsMin = 100;
export const publishRetryDelayMsMax = 5_000;
// How often a node that does not publish (a follower) reads the publisher's checkpoint from
// Kafka, for its changelog retention: pruning waits at most this long behind the leader's.
export const kafkaCheckpointNoteIntervalMs = 5_000;

// Change streams (cdc/change-stream.ts). Each open stream holds a connection, so the node
// allows this many at once (a default a flag overrides) and answers 503 past it.
export const changeStreamsMaxDefault = 1_000;
// What a subscriber may leave unread in its socket's buffer before the stream stops reading
// the changelog for it; reading resumes when the buffer drains. So a slow subscriber costs the
// node at most this much memory, never more however far behind it falls.
export const streamBufferBytesMax = 1 * 1024 * 1024;
// A subscriber whose full buffer has not drained for this long is stalled: its stream ends
// (with the position to resume from) and its connection closes, freeing its slot.
export const streamStallMsMax = 10_000;
// Progress events, busy or idle, tell a subscriber how far it is up to date; a request may ask
// for another interval within these bounds.
export const streamProgressMsDefault = 1_000;
export const streamProgressMsMin = 50;
export const streamProgressMsMax = 60_000;
// Changelog records one read takes from LMDB for a stream (whole entries are kept together).
export const streamRecordsPerReadMax = 1_024;
// The changelog's retention window (cdc/changelog-retention.ts), defaults that flags override:
// a week, as Kafka's own default retention, and 1 GiB on disk. The oldest changes go when
// either is passed, checked every changelogPruneIntervalMs, at most changelogPruneRecordsMax
// records per LMDB transaction.
export const changelogRetentionMsDefault = 7 * 24 * 3_600_000;
export const changelogRetentionBytesDefault = 1024 * 1024 * 1024;
export const changelogPruneIntervalMs = 10_000;
export const changelogPruneRecordsMax = 4_096;
// Reads the change feed keeps between two applies, shared by streams at the same position.
export const feedReadsCachedMax = 256;
// A stream's where=, params= and columns= texts, each (the URL carries them).
export const streamFilterLengthMax = 8 * 1024;
// Tables one stream may name with `table=`.
export const streamTablesMax = 64;

// How long a request waits for a leader (to exist, to be reachable, to have applied its first
// entry) before it is answered NOT_LEADER: a few election timeouts, so a failover in progress
// is waited out and a cluster without a quorum still answers.
export const leaderWaitMsMax = 3_000;
// Connecting to another node's HTTP API, TLS handshake included (write/peer-http-client.ts):
// no longer than a request waits for a leader, so an unreachable leader costs one wait.
export const peerConnectTimeoutMs = leaderWaitMsMax;
// How long a read with min_lsn waits for this node to apply that far before LSN_NOT_REACHED.
export const lsnWaitMsMax = 5_000;

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
// …and at most this much entry data: 64 appends of entries of whole 4 MiB batches would be
// 256 MiB encoded and queued in one turn of the leader's loop (a follower reconnecting far
// behind met it as a stall of the leader's writes). Two whole batches still keep a link busy
// (8 MiB a round trip is gigabytes a second at a LAN's millisecond).
export const appendsInFlightBytesMax = 8 * 1024 * 1024;
// One append carries at most this many entries and bytes of their data (a single larger entry
// still goes alone): a big backlog goes out in pieces that interleave with heartbeats.
export const appendBytesMax = 1 * 1024 * 1024;
export const entriesPerAppendMax = 1_024;
// A snapshot of the applied state goes to a follower in chunks of at most this many bytes, one
// chunk in flight per follower: its transfer never holds more than a chunk in the leader's
// memory or queue, and the leader's appends to the other followers interleave with it.
export const snapshotChunkBytesMax = 1 * 1024 * 1024;
// A snapshot chunk unanswered for this many heartbeat answers from its follower is taken as
// lost (a broken connection drops what was queued) and sent again: the transfer resumes from
// the follower's last acknowledged chunk.
export const snapshotChunkResendHeartbeats = 3;

// Raft peer links (raft/transport). A frame is one message; the largest is an append of
// entriesPerAppendMax entries with appendBytesMax of data, or one entry of a whole batch, each
// entry with a few dozen bytes of header. A bigger frame is a broken or hostile peer: its
// connection is closed before the frame is buffered.
export const peerFrameBytesMax = 8 * 1024 * 1024;
// Until a peer has proved the cluster secret it may only send handshake frames of this size,
// so that an unauthenticated connection costs a few hundred bytes, never a whole frame.
export const peerHandshakeFrameBytesMax = 512;
// From the connection's start to both proofs checked. A peer on a healthy LAN needs a few
// round trips (milliseconds); past this the connection is closed and, for a dialer, retried.
export const peerHandshakeTimeoutMs = 5_000;
// Messages and bytes queued for one peer, waiting for its connection or for the socket to
// drain. A leader queues at most appendsInFlightMax appends per follower in normal flow, plus
// heartbeats and responses; past either bound the newest message is dropped (Raft resends).
export const peerSendQueueMessagesMax = 4_096;
export const peerSendQueueBytesMax = 80 * 1024 * 1024;
// A lost link is redialed after a delay that doubles per failed attempt, from the minimum to
// the maximum, with jitter so that a cluster's nodes do not redial a restarted peer in step.
// The maximum stays below an election timeout, so that a restarted peer is heard from again
// before the cluster would act on its silence.
export const peerReconnectDelayMsMin = 50;
export const peerReconnectDelayMsMax = 800;

assert(heartbeatTicks < electionTicks); // otherwise followers campaign under a live leader
assert(appendsInFlightMax >= 1);
// --- logins (services/users) ---------------------------------------------------------------
// Failed logins from one remote address within the window, past which its logins are refused
// (LOGIN_RATE_LIMITED) until the oldest failure leaves the window; a success clears the count.
export const loginFailuresMax = 5;
export const loginFailureWindowMs = 60_000;
// Addresses whose failures are remembered: the oldest is forgotten first, so a flood of
// addresses costs bounded memory (and at worst lets a forgotten address try again early).
export const loginAddressesTrackedMax = 10_000;
// How far a forwarded request's signed time may be from the leader's clock (write/
// forwarded-identity.ts): a captured request cannot be replayed after this.
export const forwardedIdentitySkewMsMax = 30_000;

assert(batchBytesMax <= kafkaMessageBytesMax);
assert(batchBytesMax <= flushBytesMax); // one entry always fits in one flush
assert(requestBytesMax <= batchBytesMax);
assert(parseOnLoopCharsMax <= sqlCacheTextLengthMax); // what the loop parses, the cache may keep
assert(checkExpressionLengthMax < parseOnLoopCharsMax); // a CHECK's text parses on the loop
assert(statementLengthMax <= requestBytesMax);
assert(resultBytesMax <= queryMemoryBytesMax); // a result the budget allows can still be sent
assert(requestBytesMax <= parseQueueCharsMax); // a request's texts always fit an empty queue
assert(txOpenMaxDefault < lmdbReadersMax / 2); // room left for streams' and snapshots' readers
assert(txChangesMaxDefault <= changesPerBatchMax);
assert(changeStreamsMaxDefault < httpConnectionsMaxDefault); // streams never take every connection
// The largest append fits in one frame (64 bytes per entry is above the codec's header).
assert(Math.max(appendBytesMax, batchBytesMax) + entriesPerAppendMax * 64 <= peerFrameBytesMax);
assert(peerFrameBytesMax <= peerSendQueueBytesMax); // the largest frame fits an empty queue
assert(snapshotChunkBytesMax + 64 <= peerFrameBytesMax); // a chunk and its header fit one frame
assert(snapshotChunkResendHeartbeats >= 1);
// A full window of appends queues whole (64 bytes per entry is above the codec's header).
assert(appendsInFlightMax < peerSendQueueMessagesMax);
assert(appendsInFlightMax * (appendBytesMax + entriesPerAppendMax * 64) <= peerSendQueueBytesMax);
assert(peerReconnectDelayMsMin <= peerReconnectDelayMsMax);
assert(peerReconnectDelayMsMax < electionTicks * tickMs);
assert(decimalScaleMax <= decimalPrecisionMax);
assert(mysqlPacketBytesMax >= statementLengthMax); // a statement of the longest length fits one packet
