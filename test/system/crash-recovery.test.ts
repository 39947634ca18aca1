// Durability under kill -9: concurrent clients insert while the node process is SIGKILLed
// mid-stream; after restart every acknowledged row is present exactly once, and the node keeps
// accepting writes where it left off. Repeated over several kills to hit different moments;
// a paused (SIGSTOP) node answers the writes that waited once it is resumed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeProcess, freePort, sleep, temporaryDir } from './node-process.js';

const clients = 8;
const kills = 3;

describe('a node process under kill -9 and pause', () => {
  const dir = temporaryDir('crash');
  let node: NodeProcess;

  beforeAll(async () => {
    node = new NodeProcess(dir.path, await freePort());
    await node.start();
    expect((await node.sql('CREATE TABLE events (id BIGINT PRIMARY KEY, client INT NOT NULL, body TEXT)')).status).toBe(200);
  });
  afterAll(async () => {
    await node.stop();
    dir.remove();
  });

  it('loses no acknowledged row and duplicates none', async () => {
    const acknowledged = new Set<number>();
    let nextId = 1;
    for (let round = 0; round < kills; round++) {
      let running = true;
      const writers = Array.from({ length: clients }, async (_, client) => {
        while (running) {
          const id = nextId++;
          try {
            const response = await node.sql('INSERT INTO events VALUES (?, ?, ?)', [id, client, `row ${id}`]);
            if (response.status === 200) acknowledged.add(id);
            else throw new Error(`unexpected ${response.status}: ${JSON.stringify(response.body)}`);
          } catch (error) {
            if (running) throw error;
            return; // the connection died with the process: not acknowledged
          }
        }
      });
      await sleep(700 + round * 300);
      running = false;
      await node.kill();
      await Promise.allSettled(writers);
      await node.start();

      const select = await node.sql('SELECT id, client, body FROM events ORDER BY id');
      expect(select.status).toBe(200);
      const rows = select.body.results![0]!.rows as [number, number, string][];
      const ids = rows.map(([id]) => id);
      expect(new Set(ids).size).toBe(ids.length);
      const missing = [...acknowledged].filter((id) => !ids.includes(id));
      expect(missing).toEqual([]);
      for (const [id, , body] of rows) expect(body).toBe(`row ${id}`);
      // Rows beyond the acknowledged ones are writes whose answer was lost with the process.
      expect(ids.length).toBeLessThanOrEqual(nextId - 1);
      // Later ids are still free: nothing was applied past what exists.
      for (const id of ids) acknowledged.add(id);
    }
    expect(acknowledged.size).toBeGreaterThan(clients);
    const after = await node.sql('INSERT INTO events VALUES (?, ?, ?)', [nextId, 0, 'after']);
    expect(after.status).toBe(200);
  });

  it('answers every write made while it was paused, once resumed', async () => {
    const first = 1_000_000;
    node.pause();
    const writes = Array.from({ length: clients }, (_, client) => node.sql('INSERT INTO events VALUES (?, ?, ?)', [first + client, client, 'paused']));
    await sleep(1_000);
    node.resume();
    const responses = await Promise.all(writes);
    expect(responses.map((response) => response.status)).toEqual(Array.from({ length: clients }, () => 200));
    const select = await node.sql('SELECT id FROM events WHERE id >= ? ORDER BY id', [first]);
    expect(select.body.results![0]!.rows).toEqual(Array.from({ length: clients }, (_, client) => [first + client]));
  });
});
