// `npm run cluster`: three nodes of one cluster on this machine, as three processes with their
// data under ./data/node-<n>. Node n serves HTTP on 127.0.0.1:400n, MySQL on 127.0.0.1:410n
// and its peer link on 127.0.0.1:420n. The cluster's secret is made once, at random, and kept
// in ./data/cluster.secret, so a restarted cluster is the same cluster. Ctrl-C stops them all.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const nodeIds = [1, 2, 3] as const;
const dataRoot = resolve(process.env['TIDE_DATA_DIR'] ?? './data');
const mainScript = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.js');

function clusterSecret(): string {
  const path = join(dataRoot, 'cluster.secret');
  if (!existsSync(path)) writeFileSync(path, randomBytes(24).toString('hex'), { mode: 0o600 });
  return readFileSync(path, 'utf8').trim();
}

function startNode(id: number, secret: string): ChildProcess {
  const peers = nodeIds.map((peer) => `${peer}=127.0.0.1:${4200 + peer}`).join(',');
  const http = nodeIds.map((peer) => `${peer}=http://127.0.0.1:${4000 + peer}`).join(',');
  const args = [mainScript, '--node-id', String(id), '--port', String(4000 + id), '--mysql-port', String(4100 + id), '--data-dir', join(dataRoot, `node-${id}`), '--peers', peers, '--peer-http', http, ...process.argv.slice(2)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TIDE_CLUSTER_SECRET: secret } });
  const prefix = (chunk: Buffer): string => chunk.toString().replace(/^(?=.)/gm, `[node ${id}] `);
  child.stdout?.on('data', (chunk: Buffer) => process.stdout.write(prefix(chunk)));
  child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(prefix(chunk)));
  return child;
}

function main(): void {
  mkdirSync(dataRoot, { recursive: true });
  const secret = clusterSecret();
  const children = nodeIds.map((id) => startNode(id, secret));
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('stopping the cluster…\n');
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let running = children.length;
  for (const [at, child] of children.entries()) {
    child.once('exit', (code, signal) => {
      running -= 1;
      // The others go on (a cluster outlives a node); Ctrl-C still stops them all.
      if (!stopping) process.stderr.write(`[node ${nodeIds[at]}] exited (${signal ?? code}); the others go on\n`);
      if (running === 0) process.exit(0);
    });
  }
  process.stdout.write(
    [
      `three TideDB nodes, data under ${dataRoot}:`,
      ...nodeIds.map((id) => `  node ${id}: http://127.0.0.1:${4000 + id}   mysql -h127.0.0.1 -P${4100 + id} -uroot   (peer link 127.0.0.1:${4200 + id})`),
      `try: curl -s http://127.0.0.1:4001/v1/cluster`,
      `     curl -s http://127.0.0.1:4002/v1/sql -H 'content-type: application/json' -d '{"sql": "SELECT 1"}'`,
      'Ctrl-C stops all three.',
      '',
    ].join('\n'),
  );
}

main();
