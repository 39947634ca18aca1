// The floor of an HTTP read on this machine, for http-floor.ts: a fastify server that answers
// POST /v1/sql with the JSON a one-row point SELECT gets from TideDB, having parsed the body,
// and does nothing else. Listens on the port given as its one argument.
import Fastify from 'fastify';

const answer = JSON.stringify({ results: [{ columns: ['id', 'code', 'v', 'pad'], rows: [[4711, 'c4711', 711, 'pad-4711-0123456789abcdef']], rows_affected: 0, last_insert_id: null }], lsn: '12' });
const app = Fastify({ logger: false });
app.post('/v1/sql', async (_request, reply) => reply.type('application/json; charset=utf-8').send(answer));
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2]) });
