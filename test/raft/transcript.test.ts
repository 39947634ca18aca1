// Data-driven tests of the pure Raft core: each file in testdata/ is a transcript of commands
// and the exact output the core must give. REWRITE=1 regenerates the expected outputs (review
// the diff before committing).
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RaftCore } from '../../services/raft/core/raft-core.js';
import type { LogEntry, Ready } from '../../services/raft/core/types.js';

const dataDir = join(import.meta.dirname, 'testdata');
const rewrite = process.env['REWRITE'] === '1';

interface Block {
  readonly command: string;
  readonly expected: string;
}

// A transcript is blocks of `command`, a `----` line, the expected output, and a blank line.
function parseTranscript(text: string): Block[] {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at]!;
    if (line.trim() === '' || line.startsWith('#')) continue;
    const separator = lines[at + 1];
    if (separator !== '----') throw new Error(`line ${at + 2}: expected ---- after '${line}'`);
    const output: string[] = [];
    for (at += 2; at < lines.length && lines[at] !== ''; at++) output.push(lines[at]!);
    blocks.push({ command: line, expected: output.join('\n') });
  }
  return blocks;
}

class Harness {
  private core: RaftCore | null = null;

  run(command: string): string {
    const [verb, ...args] = command.split(' ');
    const options = Object.fromEntries(args.map((arg) => arg.split('=') as [string, string]));
    switch (verb) {
      case 'restore':
        this.core = new RaftCore({ id: 1, voters: [1] }, restoreFrom(options));
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
    unappliedEntries: log.filter((entry) => entry.index > applied),
  };
}

function parseEntry(spec: string): LogEntry {
  const [position, kind, data] = spec.split(':');
  const [index, term] = position!.split('@');
  return { index: BigInt(index!), term: BigInt(term!), kind: kind === 'batch' ? 'batch' : 'noop', data: new TextEncoder().encode(data ?? '') };
}

function renderEntry(entry: LogEntry): string {
  const data = new TextDecoder().decode(entry.data);
  return `${entry.index}@${entry.term}:${entry.kind}${data === '' ? '' : `:${data}`}`;
}

function render(ready: Ready): string {
  const lines: string[] = [];
  if (ready.hardState !== null) lines.push(`hard-state term=${ready.hardState.term} vote=${ready.hardState.votedFor}`);
  if (ready.entriesToPersist.length > 0) lines.push(`persist ${ready.entriesToPersist.map(renderEntry).join(' ')}`);
  if (ready.entriesToApply.length > 0) lines.push(`apply ${ready.entriesToApply.map(renderEntry).join(' ')}`);
  if (ready.proposedIndex !== null) lines.push(`proposed ${ready.proposedIndex}`);
  return lines.length === 0 ? '(nothing)' : lines.join('\n');
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
        const comments = text.split('\n').filter((line) => line.startsWith('#'));
        writeFileSync(path, `${[...comments, ''].join('\n')}${actual.map((block) => `${block.command}\n----\n${block.output}\n`).join('\n')}`);
        return;
      }
      for (const [at, block] of blocks.entries()) expect(`${block.command}\n${actual[at]!.output}`).toBe(`${block.command}\n${block.expected}`);
    });
  }
});
