/**
 * The frames a V8 CPU profile (node --cpu-prof) spent its samples in, by self time: the top
 * functions, and the same time summed by file, so that a benchmark's profile can be read in
 * docs/BENCHMARKS.md without a browser.
 *
 *   npx tsc -p test/bench/tsconfig.json && node .tmp/bench-build/bench/cpu-profile-top.js FILE.cpuprofile [--top N]
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { positive } from './bench-measure.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

// Self time in ms per key, from the samples (each sample's delta is the time it stands for).
function selfTimes(profile: Profile, keyOf: (node: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const times = new Map<string, number>();
  profile.samples.forEach((id, at) => {
    const node = byId.get(id);
    if (node === undefined) return;
    const key = keyOf(node);
    times.set(key, (times.get(key) ?? 0) + (profile.timeDeltas[at] ?? 0) / 1000);
  });
  return times;
}

// File paths shortened to what names them: inside the repository, or inside node_modules.
function fileOf(url: string): string {
  if (url === '') return '(native or VM)';
  const path = url.replace(/^file:\/\//, '');
  const modules = path.lastIndexOf('/node_modules/');
  return modules >= 0 ? path.slice(modules + 1) : path.startsWith('/') ? relative(process.cwd(), path) : path;
}

function table(title: string, times: Map<string, number>, totalMs: number, top: number): string[] {
  const rows = [...times].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`| ${title} | self ms | share |`, '|---|--:|--:|', ...rows.map(([key, ms]) => `| ${key.replaceAll('|', '\\|')} | ${ms.toFixed(0)} | ${((ms / totalMs) * 100).toFixed(1)} % |`)];
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args[0];
  if (file === undefined || file.startsWith('--')) throw new Error('usage: cpu-profile-top.js FILE.cpuprofile [--top N]');
  const top = args[1] === '--top' ? Math.round(positive('--top', args[2])) : 20;
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const totalMs = profile.timeDeltas.reduce((sum, delta) => sum + delta, 0) / 1000;
  const frame = (node: ProfileNode): string => {
    const { functionName, url, lineNumber } = node.callFrame;
    return url === '' ? functionName || '(anonymous)' : `${functionName || '(anonymous)'} ${fileOf(url)}:${lineNumber + 1}`;
  };
  const idle = selfTimes(profile, frame).get('(idle)') ?? 0;
  const lines = [
    `${file}: ${totalMs.toFixed(0)} ms sampled, ${idle.toFixed(0)} ms of it idle (${((idle / totalMs) * 100).toFixed(0)} %)`,
    '',
    ...table('function (self time)', selfTimes(profile, frame), totalMs, top),
    '',
    ...table('file (self time)', selfTimes(profile, (node) => (node.callFrame.url === '' ? frame(node) : fileOf(node.callFrame.url))), totalMs, top),
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

main();
