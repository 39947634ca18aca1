// No error message leaving the node is longer than errorMessageLengthMax, however much of the
// client's input it quotes: checked on boundedMessage itself and on whole-node responses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessageLengthMax } from '../../services/base/limits.js';
import { boundedMessage } from '../../services/http/errors.js';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';

describe('boundedMessage', () => {
  it('keeps a message of up to the cap as it is', () => {
    expect(boundedMessage('table app.x not found')).toBe('table app.x not found');
    const atCap = 'm'.repeat(errorMessageLengthMax);
    expect(boundedMessage(atCap)).toBe(atCap);
  });

  it('cuts a longer message to the cap, saying how long it was', () => {
    const message = `unknown table ${'x'.repeat(500_000)}`;
    const bounded = boundedMessage(message);
    expect(bounded.length).toBe(errorMessageLengthMax);
    expect(bounded.startsWith('unknown table xxx')).toBe(true);
    expect(bounded.endsWith(`… (${message.length} characters)`)).toBe(true);
  });

  it('never splits a surrogate pair at the cut', () => {
    for (let shift = 0; shift < 2; shift += 1) {
      const bounded = boundedMessage('a'.repeat(shift) + '😀'.repeat(errorMessageLengthMax));
      expect(bounded.isWellFormed()).toBe(true);
      expect(bounded.length).toBeLessThanOrEqual(errorMessageLengthMax);
    }
  });
});

describe('error responses quote a bounded prefix of the request', () => {
  let node: InProcessNode;
  const longName = 'x'.repeat(500_000);

  beforeAll(async () => {
    node = await startInProcessNode();
    expect((await node.sql({ sql: 'CREATE TABLE items (id INT PRIMARY KEY, name VARCHAR(8))' })).status).toBe(200);
  });
  afterAll(async () => node.close());

  it.each([
    ['an unknown table', `SELECT * FROM ${longName}`],
    ['an unknown qualified table', `SELECT * FROM app.\`${longName}\``],
    ['an unknown column in SELECT', `SELECT ${longName} FROM items`],
    ['an unknown column in WHERE', `DELETE FROM items WHERE ${longName} = 1`],
    ['an unknown column in INSERT', `INSERT INTO items (id, ${longName}) VALUES (1, 2)`],
    ['a new table name', `CREATE TABLE ${longName} (id INT PRIMARY KEY)`],
  ])('for a 500 KB identifier naming %s', async (_name, sql) => {
    const response = await node.sql({ sql });
    expect(response.status).toBe(400);
    const error = response.body['error'] as { code: string; message: string };
    // Refused by the name-length limit before parsing, quoting only the name's start.
    expect(error.code).toBe('IDENTIFIER_TOO_LONG');
    expect(error.message.length).toBeLessThanOrEqual(errorMessageLengthMax);
    expect(error.message).toMatch(/has 500000 \('x{16}…'\)$/);
  });

  it('for a 500 KB string param of the wrong type', async () => {
    const response = await node.sql({ sql: 'INSERT INTO items VALUES (?, ?)', params: [longName, 'a'] });
    expect(response.body['error']).toMatchObject({ code: 'TYPE_MISMATCH' });
    expect((response.body['error'] as { message: string }).message.length).toBeLessThanOrEqual(errorMessageLengthMax);
  });

  it('for an unknown route with a long URL', async () => {
    const response = await node.app.inject({ method: 'GET', url: `/v1/${'y'.repeat(10_000)}` });
    expect(response.statusCode).toBe(404);
    const error = response.json<{ error: { code: string; message: string } }>().error;
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toMatch(/^no route GET \/v1\/yyy.*… \(10017 characters\)$/);
    expect(error.message.length).toBe(errorMessageLengthMax);
  });
});
