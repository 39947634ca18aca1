// Data-driven tests of the pure Raft core: each file in testdata/ is a transcript of commands
// (one voter restored from a log, or `add-nodes N` and a network the transcript steers) and the
// exact output the cores must give. REWRITE=1 regenerates the expected outputs; review the diff.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RaftCore } from '../../services/raft/core/raft-core.js';
import type { RaftCoreConfig } from '../../services/raft/core/raft-core.js';
import type { LogEntry, RaftInput, RaftMessage, Ready, SnapshotSource } from '../../services/raft/core/types.js';
import { decodeChange, encodeChange } from '../../services/raft/core/membership.js';
import type { ConfigChange, Membership } from '../../services/raft/core/membership.js';
import { assert, assertNever } from '../../services/base/assert.js';
import { seededRandom } from '../support/seeded-random.js';

const dataDir = join(import.meta.dirname, 'testdata');
const rewrite = process.env['REWRITE'] === '1';

interface Block {
  // The comment lines just before the command, kept by a rewrite.
  readonly comments: readonly string[];
  readonly command: string;
  readonly expected: string;
}

// A transcript is blocks of `command`, a `----` line, the expected output, and a blank line.
function parseTranscript(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let comments: string[] = [];
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at]!;
    if (line.startsWith('#')) comments.push(line);
    if (line.trim() === '' || line.startsWith('#')) continue;
    const separator = lines[at + 1];
    if (separator !== '----') throw new Error(`line ${at + 2}: expected ---- after '${line}'`);
    const output: string[] = [];
    for (at += 2; at < lines.length && lines[at] !== ''; at++) output.push(lines[at]!);
    blocks.push({ comments, command: line, expected: output.join('\n') });
    comments = [];
  }
  return blocks;
}

class Harness {
  private core: RaftCore | null = null;
  private cluster: ClusterHarness | null = null;

  run(command: string): string {
    const [verb, ...args] = command.split(' ');
    if (verb === 'add-nodes') {
      const options = Object.fromEntries(args.slice(1).map((arg) => arg.split('=') as [string, string]));
      const chunkBytes = options['snapshot-chunk-bytes'] === undefined ? null : Number(options['snapshot-chunk-bytes']);
      const readOnly = options['read-only'] === 'lease' ? 'lease' : 'safe';
      this.cluster = new ClusterHarness(Number(args[0]), options['entries-per-append'] === undefined ? null : Number(options['entries-per-append']), chunkBytes, readOnly);
      return 'ok';
    }
    if (this.cluster !== null) return this.cluster.run(verb!, args);
    const options = Object.fromEntries(args.map((arg) => arg.split('=') as [string, string]));
    switch (verb) {
      case 'restore':
        this.core = new RaftCore({ id: 1, voters: [1], random: seededRandom(1) }, restoreFrom(options));
        return 'ok';
      case 'tick':
        return render(this.requireCore().step({ kind: 'tick' }));
      case 'propose':
        return render(this.requireCore().step({ kind: 'propose', data: new TextEncoder().encode(options['data'] ?? '') }));
      case 'persisted': {
        const [index, term] = (options['through'] ?? '').split('@');
        return render(this.requireCore().step({ kind: 'persisted', index: BigInt(index!), term: BigInt(term!) }));
      }
      case 'state': {
        const state = this.requireCore().state;
        return `role=${state.role} term=${state.term} commit=${state.commitIndex} last=${state.lastIndex}`;
      }
      default:
        throw new Error(`unknown command ${verb}`);
    }
  }

  private requireCore(): RaftCore {
    if (this.core === null) throw new Error('restore first');
    return this.core;
  }
}

// Nodes 1..N over a network the transcript controls. The harness is each node's driver: it
// persists a Ready's hard state and entries at once (reporting them persisted, whose Ready is
// shown too), queues its messages, and records what it applies. Messages move only on
// `deliver` or `stabilize`; a partition drops those that cross it. With snapshot-chunk-bytes,
// each node's state machine (the entries it applied) can be sent as a snapshot: its text form
// in chunks of that many bytes, stored by the receiving harness at once and installed whole.
class ClusterHarness {
  private readonly cores = new Map<number, RaftCore>();
  private readonly applied = new Map<number, LogEntry[]>();
  // Per receiving node: the chunks of the snapshot being stored.
  private readonly stagedChunks = new Map<number, string[]>();
  private network: RaftMessage[] = [];
  private readonly cut = new Set<string>();

  constructor(
    count: number,
    private readonly entriesPerAppendMax: number | null,
    private readonly snapshotChunkBytes: number | null,
    private readonly readOnly: 'safe' | 'lease' = 'safe',
  ) {
    const voters = Array.from({ length: count }, (_, at) => at + 1);
    for (const id of voters) this.startNode(id, voters);
  }

  // A node of the first `voters`, or, with none, one that joins the cluster later.
  private startNode(id: number, voters: readonly number[]): void {
    const restore = { hardState: { term: 0n, votedFor: null }, lastIndex: 0n, lastTerm: 0n, appliedIndex: 0n, entries: [] };
    let config: RaftCoreConfig = { id, voters, random: seededRandom(id), readOnly: this.readOnly };
    if (this.entriesPerAppendMax !== null) config = { ...config, entriesPerAppendMax: this.entriesPerAppendMax };
    if (this.snapshotChunkBytes !== null) config = { ...config, snapshots: this.snapshotSource(id, this.snapshotChunkBytes) };
    this.cores.set(id, new RaftCore(config, restore));
    this.applied.set(id, []);
  }

  // Node `id`'s snapshots: its applied entries when opened, as text, cut in chunks.
  private snapshotSource(id: number, chunkBytes: number): SnapshotSource {
    const open = new Map<number, string>();
    return {
      open: (to) => {
        const entries = this.applied.get(id)!;
        const last = entries.at(-1)!;
        open.set(to, entries.map(renderEntry).join(','));
        return { index: last.index, term: last.term };
      },
      chunk: (to, chunk) => {
        const text = open.get(to)!;
        const data = new TextEncoder().encode(text.slice(chunk * chunkBytes, (chunk + 1) * chunkBytes));
        return { data, last: (chunk + 1) * chunkBytes >= text.length };
      },
      close: (to) => {
        open.delete(to);
      },
    };
  }

  run(verb: string, args: string[]): string {
    switch (verb) {
      case 'campaign':
        return this.stepNode(Number(args[0]), { kind: 'campaign' }).join('\n') || '(nothing)';
      case 'start-joining':
        // start-joining <id>: a new, empty node that knows no configuration yet.
        this.startNode(Number(args[0]), []);
        return 'ok';
      case 'read-index':
        // read-index <node> <id>: a linearizable read asks for its read index.
        return this.stepNode(Number(args[0]), { kind: 'readIndex', id: BigInt(args[1]!) }).join('\n') || '(nothing)';
      case 'transfer-leader':
        // transfer-leader <leader> <to>
        return this.stepNode(Number(args[0]), { kind: 'transferLeader', to: Number(args[1]) }).join('\n') || '(nothing)';
      case 'add-learner':
      case 'add-voter':
      case 'promote':
      case 'remove': {
        // <verb> <leader> <id>: a configuration change, or the leader's reason to refuse it.
        const id = Number(args[1]);
        const change: ConfigChange = verb === 'add-learner' ? { kind: 'addLearner', id, peer: '', http: '' } : verb === 'add-voter' ? { kind: 'addVoter', id, peer: '', http: '' } : { kind: verb, id };
        const refusal = this.cores.get(Number(args[0]))!.configChangeRefusal(change);
        if (refusal !== null) return `refused: ${refusal}`;
        return this.stepNode(Number(args[0]), { kind: 'proposeConfigChange', change }).join('\n');
      }
      case 'members':
        return [...this.cores].map(([id, core]) => `${id}: ${renderMembership(core.status.membership)}${core.status.transferringTo === null ? '' : ` transferring-to=${core.status.transferringTo}`}`).join('\n');
      case 'propose': {
        const lines = this.stepNode(Number(args[0]), { kind: 'propose', data: new TextEncoder().encode(args[1] ?? '') });
        return lines.join('\n') || '(refused)';
      }
      case 'tick': {
        const ids = args[0]!.split(',').map(Number);
        const count = Number(args[1] ?? '1');
        const lines: string[] = [];
        for (let at = 0; at < count; at++) for (const id of ids) lines.push(...this.stepNode(id, { kind: 'tick' }));
        return merge(lines).join('\n') || '(nothing)';
      }
      case 'deliver': {
        const drop = new Set((args.find((arg) => arg.startsWith('drop='))?.slice(5) ?? '').split(',').filter((id) => id !== '').map(Number));
        return merge(this.deliver(drop)).join('\n') || '(nothing)';
      }
      case 'stabilize': {
        const lines: string[] = [];
        let rounds = 0;
        for (; this.network.length > 0; rounds++) {
          if (rounds === 100) throw new Error('stabilize: still sending after 100 rounds');
          lines.push(`> round ${rounds + 1}`, ...merge(this.deliver(new Set())));
        }
        return lines.join('\n') || '(nothing)';
      }
      case 'partition': {
        // A partition replaces the one before.
        this.cut.clear();
        const groups = args.join(' ').split('|').map((group) => group.trim().split(',').map(Number));
        for (const [at, group] of groups.entries()) {
          for (const other of groups.slice(at + 1)) for (const a of group) for (const b of other) this.cut.add(`${a}-${b}`).add(`${b}-${a}`);
        }
        return 'ok';
      }
      case 'heal':
        this.cut.clear();
        return 'ok';
      case 'duplicate':
        // Every message in flight arrives twice, the copy right after the original.
        this.network = this.network.flatMap((message) => [message, message]);
        return 'ok';
      case 'status':
        return [...this.cores.keys()].map((id) => this.statusOf(id)).join('\n');
      case 'compact': {
        // compact <id> <index>: the node's log forgets the entries through index.
        const core = this.cores.get(Number(args[0]))!;
        core.compactThrough(BigInt(args[1]!));
        return `first=${core.log.firstIndex}`;
      }
      case 'applied':
        // Each node's state machine: the entries it applied, or installed from a snapshot.
        return [...this.applied].map(([id, entries]) => `${id}: ${entries.map(renderEntry).join(',') || '(none)'}`).join('\n');
      default:
        throw new Error(`unknown command ${verb}`);
    }
  }

  // Delivers every message in flight now; what they cause waits for the next deliver.
  private deliver(drop: ReadonlySet<number>): string[] {
    const lines: string[] = [];
    const batch = this.network;
    this.network = [];
    for (const message of batch) {
      if (drop.has(message.to) || this.cut.has(`${message.from}-${message.to}`)) {
        lines.push(`dropped ${renderMessage(message)}`);
        continue;
      }
      lines.push(...this.stepNode(message.to, { kind: 'message', message }));
    }
    return lines;
  }

  private stepNode(id: number, input: RaftInput): string[] {
    const core = this.cores.get(id);
    if (core === undefined) throw new Error(`no node ${id}`);
    const ready = core.step(input);
    const lines = renderReady(ready).map((line) => `${id}: ${line}`);
    const last = ready.entriesToPersist.at(-1);
    // Persist, then send, then apply: the persisted report's Ready comes after this one's.
    this.network.push(...ready.messagesToSend);
    this.applied.get(id)!.push(...ready.entriesToApply);
    if (last !== undefined) {
      const after = this.stepNode(id, { kind: 'persisted', index: last.index, term: last.term });
      lines.push(...after.map((line) => (line.startsWith(`${id}: `) ? `${id}: (persisted ${last.index}@${last.term}) ${line.slice(`${id}: `.length)}` : line)));
    }
    const chunk = ready.snapshotChunk;
    if (chunk !== null) {
      const staged = chunk.chunk === 0 ? [] : this.stagedChunks.get(id)!;
      assert(staged.length === chunk.chunk, 'a snapshot chunk out of order');
      staged.push(new TextDecoder().decode(chunk.data));
      this.stagedChunks.set(id, staged);
      if (chunk.last) {
        this.applied.set(id, staged.join('').split(',').map(parseEntry));
        this.stagedChunks.delete(id);
      }
      const after = this.stepNode(id, { kind: 'snapshotStored', index: chunk.index, term: chunk.term, chunk: chunk.chunk });
      const what = `stored ${chunk.index}@${chunk.term} chunk=${chunk.chunk}`;
      lines.push(...after.map((line) => (line.startsWith(`${id}: `) ? `${id}: (${what}) ${line.slice(`${id}: `.length)}` : line)));
    }
    return lines;
  }

  private statusOf(id: number): string {
    const status = this.cores.get(id)!.status;
    const log = this.cores.get(id)!.log;
    const terms: string[] = [];
    for (let index = log.firstIndex; index <= log.lastIndex; index++) terms.push(`${index}@${log.term(index)}`);
    const lines = [
      `${id}: ${status.role} term=${status.term} vote=${status.votedFor ?? '-'} leader=${status.leaderId ?? '-'} commit=${status.commitIndex} applied=${status.appliedIndex} log=${terms.join(',') || '(empty)'}`,
    ];
    for (const follower of status.followers) {
      const snapshot = follower.snapshot === null ? '' : ` snapshot=${follower.snapshot.index} next-chunk=${follower.snapshot.nextChunk}`;
      lines.push(`   ${id}->${follower.id} ${follower.state} match=${follower.match} next=${follower.next} inflight=${follower.inflight}${snapshot}`);
    }
    return lines.join('\n');
  }
}

// Repeated lines (heartbeats over many ticks, the drops of them) are shown once with a count,
// where the first of them came.
function merge(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].map(([line, count]) => (count === 1 ? line : `${line} (×${count})`));
}

function renderMessage(message: RaftMessage): string {
  const head = `${message.from}->${message.to} ${message.kind} term=${message.term}`;
  switch (message.kind) {
    case 'preVote':
      return `${head} last=${message.lastIndex}@${message.lastTerm}`;
    case 'vote':
      return `${head} last=${message.lastIndex}@${message.lastTerm}${message.transfer ? ' transfer' : ''}`;
    case 'timeoutNow':
      return head;
    case 'preVoteResponse':
    case 'voteResponse':
      return `${head} ${message.reject ? 'rejected' : 'granted'}`;
    case 'append': {
      const entries = message.entries.length === 0 ? '' : ` entries=${message.entries.map(renderEntry).join(',')}`;
      return `${head} prev=${message.prevIndex}@${message.prevTerm} commit=${message.commit}${entries}`;
    }
    case 'appendResponse':
      return message.reject ? `${head} rejected index=${message.index} hint=${message.hintIndex}@${message.hintTerm}` : `${head} index=${message.index}`;
    case 'heartbeat':
      return `${head} commit=${message.commit}${message.round === 0n ? '' : ` round=${message.round}`}`;
    case 'heartbeatResponse':
      return `${head}${message.round === 0n ? '' : ` round=${message.round}`}`;
    case 'readIndex':
      return `${head} id=${message.id}`;
    case 'readIndexResponse':
      return `${head} id=${message.id}${message.reject ? ' rejected' : ` index=${message.index}`}`;
    case 'snapshot':
      return `${head} snapshot=${message.snapshotIndex}@${message.snapshotTerm} chunk=${message.chunk}${message.last ? ' last' : ''} members=${renderMembership(message.membership)} data=${new TextDecoder().decode(message.data)}`;
    case 'snapshotResponse':
      return `${head} snapshot=${message.snapshotIndex} next-chunk=${message.nextChunk}${message.installed ? ' installed' : ''}`;
    default:
      return assertNever(message);
  }
}

// restore term=T vote=V applied=A log=1@1:noop,2@1:batch:x
function restoreFrom(options: Record<string, string>) {
  const log = (options['log'] ?? '').split(',').filter((spec) => spec !== '').map(parseEntry);
  const applied = BigInt(options['applied'] ?? '0');
  const last = log.at(-1);
  return {
    hardState: { term: BigInt(options['term'] ?? '0'), votedFor: options['vote'] === undefined ? null : Number(options['vote']) },
    lastIndex: last?.index ?? applied,
    lastTerm: last?.term ?? 0n,
    appliedIndex: applied,
    entries: log.filter((entry) => entry.index > applied),
  };
}

function parseEntry(spec: string): LogEntry {
  const [position, kind, data] = spec.split(':');
  const [index, term] = position!.split('@');
  const at = { index: BigInt(index!), term: BigInt(term!) };
  if (kind === 'config') {
    // config:<kind>-<id>, as renderEntry writes it.
    const [changeKind, id] = data!.split('-');
    const change = (changeKind === 'addLearner' || changeKind === 'addVoter' ? { kind: changeKind, id: Number(id), peer: '', http: '' } : { kind: changeKind, id: Number(id) }) as ConfigChange;
    return { ...at, kind: 'config', data: encodeChange(change) };
  }
  return { ...at, kind: kind === 'batch' ? 'batch' : 'noop', data: new TextEncoder().encode(data ?? '') };
}

function renderEntry(entry: LogEntry): string {
  if (entry.kind === 'config') {
    const change = decodeChange(entry.data);
    return `${entry.index}@${entry.term}:config:${change.kind}-${change.id}`;
  }
  const data = new TextDecoder().decode(entry.data);
  return `${entry.index}@${entry.term}:${entry.kind}${data === '' ? '' : `:${data}`}`;
}

// Voters plainly, learners with an l: 1,2,3,4l.
function renderMembership(membership: Membership): string {
  return membership.members.map((member) => `${member.id}${member.role === 'learner' ? 'l' : ''}`).join(',') || '(none)';
}

function render(ready: Ready): string {
  const lines = renderReady(ready);
  return lines.length === 0 ? '(nothing)' : lines.join('\n');
}

// In the order the driver acts on them: persist, send, apply.
function renderReady(ready: Ready): string[] {
  const lines: string[] = [];
  if (ready.hardState !== null) lines.push(`hard-state term=${ready.hardState.term} vote=${ready.hardState.votedFor}`);
  if (ready.entriesToPersist.length > 0) lines.push(`persist ${ready.entriesToPersist.map(renderEntry).join(' ')}`);
  for (const message of ready.messagesToSend) lines.push(`send ${renderMessage(message)}`);
  if (ready.entriesToApply.length > 0) lines.push(`apply ${ready.entriesToApply.map(renderEntry).join(' ')}`);
  if (ready.proposedIndex !== null) lines.push(`proposed ${ready.proposedIndex}`);
  const chunk = ready.snapshotChunk;
  if (chunk !== null) lines.push(`${chunk.last ? 'install' : 'store'} snapshot ${chunk.index}@${chunk.term} chunk=${chunk.chunk}`);
  if (ready.membershipHistory !== null) lines.push(`members ${ready.membershipHistory.map((record) => `${renderMembership(record.membership)}@${record.index}`).join(' ')}`);
  for (const read of ready.readStates) lines.push(read.index === null ? `read ${read.id} refused` : `read ${read.id} index=${read.index}`);
  return lines;
}

describe('raft core transcripts', () => {
  for (const file of readdirSync(dataDir).filter((name) => name.endsWith('.txt'))) {
    it(file, () => {
      const path = join(dataDir, file);
      const text = readFileSync(path, 'utf8');
      const harness = new Harness();
      const blocks = parseTranscript(text);
      const actual = blocks.map((block) => ({ command: block.command, output: harness.run(block.command) }));
      if (rewrite) {
        const rendered = actual.map((block, at) => `${blocks[at]!.comments.map((line) => `${line}\n`).join('')}${block.command}\n----\n${block.output}\n`);
        writeFileSync(path, rendered.join('\n'));
        return;
      }
      for (const [at, block] of blocks.entries()) expect(`${block.command}\n${actual[at]!.output}`).toBe(`${block.command}\n${block.expected}`);
    });
  }
});
