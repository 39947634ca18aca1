// Proves that a stock Confluent client (@kafkajs/confluent-schema-registry) pointed at the
// node's registry routes decodes TideDB's events, and that unknown ids, subjects and versions
// answer the registry's error codes, with a subject version per table version. Real fastify on
// 127.0.0.1, real HTTP, real client.
import avsc from 'avsc';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { SchemaRegistry as RegistryClient, SchemaType } from '@kafkajs/confluent-schema-registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeEncoder } from '../../services/cdc/change-encoder.js';
import { SchemaRegistry } from '../../services/cdc/schema-registry.js';
import type { RegistryCatalog } from '../../services/cdc/schema-registry.js';
import { schemaRegistryRoutes } from '../../services/http/schema-registry-routes.js';
import type { ChangeRecord, TableDef } from '../../services/storage/types.js';
import { bigOrderId, ordersTable, ordersUpdate } from './fixtures/orders.js';
import { bigintLong } from './fixtures/bigint-long.js';

// app.users was created (id 1), dropped, and created again with another shape (id 2), which
// then got a second schema version: its subjects have three versions each.
const firstUsers: TableDef = {
  id: 1,
  version: 1,
  database: 'app',
  name: 'users',
  columns: [{ name: 'id', type: 'BIGINT', length: null, nullable: false, autoIncrement: true }],
  primaryKey: [0],
};
const usersV1: TableDef = {
  ...firstUsers,
  id: 2,
  columns: [...firstUsers.columns, { name: 'email', type: 'VARCHAR', length: 255, nullable: true, autoIncrement: false }],
};
const usersV2: TableDef = {
  ...usersV1,
  version: 2,
  columns: [...usersV1.columns, { name: 'nickname', type: 'VARCHAR', length: 20, nullable: true, autoIncrement: false }],
};
const versions: readonly TableDef[] = [firstUsers, usersV1, usersV2, ordersTable];
const catalog: RegistryCatalog = {
  allTables: () => [firstUsers, usersV2, ordersTable],
  tableVersion: (id, version) => versions.find((table) => table.id === id && table.version === version),
};
// Ids: table id * 2048 + version * 2, plus 1 for the value.
const ids = { firstUsersKey: 2050, firstUsersValue: 2051, usersV1Key: 4098, usersV1Value: 4099, usersV2Key: 4100, usersV2Value: 4101, ordersValue: 6147 };

const registry = new SchemaRegistry(catalog, 'tide');
const encoder = new ChangeEncoder({ topicPrefix: 'tide' });
let app: FastifyInstance;
let host: string;

beforeAll(async () => {
  app = Fastify();
  await app.register(schemaRegistryRoutes(registry));
  host = await app.listen({ host: '127.0.0.1', port: 0 });
});

afterAll(async () => {
  await app.close();
});

async function getJson(path: string): Promise<{ status: number; contentType: string | null; body: unknown }> {
  return requestJson('GET', path);
}

// As Confluent clients send it: the registry media type, the body as JSON text.
async function requestJson(method: string, path: string, body?: unknown): Promise<{ status: number; contentType: string | null; body: unknown }> {
  const init: RequestInit = body === undefined ? { method } : { method, body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' } };
  const response = await fetch(`${host}${path}`, init);
  return { status: response.status, contentType: response.headers.get('content-type'), body: await response.json() };
}

describe('a stock Confluent client against the node', () => {
  it('decodes the key and value of an event with no other setup', async () => {
    const client = new RegistryClient({ host });
    const change: ChangeRecord = { ...ordersUpdate, before: [9n, 'eu', 2n, 19.5, false, 'gift'], after: [9n, 'eu', 3n, null, true, null] };
    const message = encoder.encode(change, ordersTable, { totalOrder: 4, dataCollectionOrder: 1 });
    expect(await client.decode(message.key)).toEqual({ region: 'eu', id: 9 });
    const envelope = (await client.decode(message.value)) as Record<string, unknown>;
    expect(envelope['before']).toEqual({ id: 9, region: 'eu', quantity: 2, total: 19.5, paid: false, note: 'gift' });
    expect(envelope['after']).toEqual({ id: 9, region: 'eu', quantity: 3, total: null, paid: true, note: null });
    expect(envelope['op']).toBe('u');
    expect(envelope['ts_ms']).toBe(change.tsMs);
    expect(envelope['source']).toMatchObject({ connector: 'tidedb', name: 'tide', db: 'app', table: 'orders', lsn: Number(change.lsn), txId: 42, snapshot: 'false' });
    expect(envelope['transaction']).toEqual({ id: '42', total_order: 4, data_collection_order: 1 });
  });

  it('decodes a BIGINT beyond 2^53 exactly when the consumer asks for bigint longs', async () => {
    const client = new RegistryClient({ host }, { forSchemaOptions: { registry: { long: bigintLong } } });
    const message = encoder.encode(ordersUpdate, ordersTable);
    expect(await client.decode(message.key)).toEqual({ region: 'eu', id: bigOrderId });
    const envelope = (await client.decode(message.value)) as Record<string, unknown>;
    expect((envelope['after'] as Record<string, unknown>)['id']).toBe(bigOrderId);
  });

  it('finds the latest and a given version of a subject', async () => {
    const client = new RegistryClient({ host });
    expect(await client.getLatestSchemaId('tide.app.users-value')).toBe(ids.usersV2Value);
    expect(await client.getRegistryId('tide.app.users-value', 1)).toBe(ids.firstUsersValue);
    expect(await client.getRegistryId('tide.app.users-value', 2)).toBe(ids.usersV1Value);
    expect(await client.getRegistryId('tide.app.users-key', 2)).toBe(ids.usersV1Key);
  });

  it('decodes the events of two versions of one table, each with the schema that wrote it', async () => {
    const client = new RegistryClient({ host });
    const base = { lsn: 1n << 20n, tableId: 2, op: 'c' as const, before: null, tsMs: 5 };
    const v1 = encoder.encode({ ...base, schemaVersion: 1, after: [1n, 'a@example.com'] }, usersV1);
    const v2 = encoder.encode({ ...base, schemaVersion: 2, after: [2n, null, 'bee'] }, usersV2);
    expect(v1.topic).toBe(v2.topic);
    const after = async (value: Buffer): Promise<unknown> => ((await client.decode(value)) as Record<string, unknown>)['after'];
    expect(await after(v1.value)).toEqual({ id: 1, email: 'a@example.com' });
    expect(await after(v2.value)).toEqual({ id: 2, email: null, nickname: 'bee' });
    expect(await client.decode(v2.key)).toEqual({ id: 2 });
  });

  it('fails to decode an event whose schema id no table has', async () => {
    const client = new RegistryClient({ host, retry: { retries: 0 } });
    const unknown = Buffer.from([0, 0, 0, 0, 99, 0]);
    await expect(client.decode(unknown)).rejects.toMatchObject({ status: 404 });
  });
});

describe('registry routes', () => {
  it('serves a schema by id as {schema} with the registry media type', async () => {
    const response = await getJson(`/schemas/ids/${ids.ordersValue}`);
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
    expect(response.body).toEqual({ schema: registry.schemaById(ids.ordersValue) });
    expect(JSON.parse(registry.schemaById(ids.ordersValue) ?? '')).toMatchObject({ name: 'Envelope', namespace: 'tide.app.orders' });
  });

  it('lists subjects and versions, one version per table version that had the name', async () => {
    expect((await getJson('/subjects')).body).toEqual([
      'tide._transactions-key',
      'tide._transactions-value',
      'tide._resolved-key',
      'tide._resolved-value',
      // The schema changes of each database that has had a table (fixed schemas, one version).
      'tide.app._schema-key',
      'tide.app._schema-value',
      'tide.app.users-key',
      'tide.app.users-value',
      'tide.app.orders-key',
      'tide.app.orders-value',
    ]);
    expect((await getJson('/subjects/tide.app.users-value/versions')).body).toEqual([1, 2, 3]);
    expect((await getJson('/subjects/tide.app.users-key/versions')).body).toEqual([1, 2, 3]);
    expect((await getJson('/subjects/tide.app.orders-key/versions')).body).toEqual([1]);
    expect((await getJson('/subjects/tide.app._schema-value/versions/1')).body).toMatchObject({ id: 7, version: 1 });
  });

  it('serves a version by number and as latest', async () => {
    const first = await getJson('/subjects/tide.app.users-value/versions/1');
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ subject: 'tide.app.users-value', version: 1, id: ids.firstUsersValue, schema: registry.schemaById(ids.firstUsersValue) });
    expect((await getJson('/subjects/tide.app.users-value/versions/latest')).body).toMatchObject({ version: 3, id: ids.usersV2Value });
    expect((await getJson('/subjects/tide.app.users-key/versions/-1')).body).toMatchObject({ version: 3, id: ids.usersV2Key });
    const second = (await getJson('/subjects/tide.app.users-value/versions/2')).body as { id: number; schema: string };
    expect(second.id).toBe(ids.usersV1Value);
    expect(second.schema).toContain('"email"');
    expect(second.schema).not.toContain('"nickname"');
    expect(registry.schemaById(ids.usersV2Value)).toContain('"nickname"');
  });

  it('answers 40403 for an unknown or malformed schema id', async () => {
    // 9: fixed version 4, which does not exist; 6148: the key of orders version 2, which does not exist; 2049: table 1 version 0.
    for (const id of ['9', '0', 'abc', '99999999999', '6148', '2049', '2048']) {
      const response = await getJson(`/schemas/ids/${id}`);
      expect(response.status).toBe(404);
      expect(response.contentType).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
      expect(response.body).toMatchObject({ error_code: 40403 });
    }
  });

  it('answers 40401 for an unknown subject', async () => {
    for (const path of ['/subjects/tide.app.nope-value/versions', '/subjects/tide.app.nope-value/versions/1']) {
      const response = await getJson(path);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error_code: 40401 });
    }
  });

  it('answers 40402 for a version the subject does not have, 42202 for one that is not a version', async () => {
    const missing = await getJson('/subjects/tide.app.users-value/versions/4');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error_code: 40402 });
    const invalid = await getJson('/subjects/tide.app.users-value/versions/first');
    expect(invalid.status).toBe(422);
    expect(invalid.body).toMatchObject({ error_code: 42202 });
  });
});

describe('registry writes and lookups, with the catalog as the source of truth', () => {
  const usersV2Text = (): string => registry.schemaById(ids.usersV2Value)!;

  it('registers a schema the subject has by answering its id, through a stock client too', async () => {
    expect((await requestJson('POST', '/subjects/tide.app.users-value/versions', { schema: usersV2Text() })).body).toEqual({ id: ids.usersV2Value });
    // Whitespace does not matter: the schema is compared as JSON.
    const spaced = JSON.stringify(JSON.parse(usersV2Text()), null, 2);
    expect((await requestJson('POST', '/subjects/tide.app.users-value/versions', { schema: spaced, schemaType: 'AVRO' })).body).toEqual({ id: ids.usersV2Value });
    const client = new RegistryClient({ host });
    const registered = await client.register({ type: SchemaType.AVRO, schema: usersV2Text() }, { subject: 'tide.app.users-value' });
    expect(registered).toEqual({ id: ids.usersV2Value });
    expect(await client.getRegistryIdBySchema('tide.app.users-value', { type: SchemaType.AVRO, schema: usersV2Text() })).toBe(ids.usersV2Value);
  });

  it('refuses a new schema, a delete and another compatibility level with 42205 / 42203', async () => {
    const other = JSON.stringify({ type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] });
    for (const [method, path, body] of [
      ['POST', '/subjects/tide.app.users-value/versions', { schema: other }],
      ['POST', '/subjects/tide.app.brand_new-value/versions', { schema: other }],
      ['DELETE', '/subjects/tide.app.users-value', undefined],
      ['DELETE', '/subjects/tide.app.users-value/versions/1', undefined],
    ] as const) {
      const response = await requestJson(method, path, body);
      expect(response.status, `${method} ${path}`).toBe(422);
      expect(response.body).toMatchObject({ error_code: 42205 });
    }
    expect((await requestJson('PUT', '/config', { compatibility: 'NONE' })).body).toMatchObject({ error_code: 42203 });
    expect((await requestJson('PUT', '/config/tide.app.users-value', { compatibility: 'BACKWARD' })).body).toEqual({ compatibility: 'BACKWARD' });
  });

  it('looks a schema up in a subject: its version, 40403 when absent, 40401 for no subject, 42201 for a bad body', async () => {
    expect((await requestJson('POST', '/subjects/tide.app.users-value', { schema: usersV2Text() })).body).toEqual({ subject: 'tide.app.users-value', version: 3, id: ids.usersV2Value, schema: usersV2Text() });
    const firstText = registry.schemaById(ids.firstUsersValue)!;
    expect((await requestJson('POST', '/subjects/tide.app.users-value', { schema: firstText })).body).toMatchObject({ version: 1, id: ids.firstUsersValue });
    expect((await requestJson('POST', '/subjects/tide.app.orders-value', { schema: usersV2Text() })).body).toMatchObject({ error_code: 40403 });
    expect((await requestJson('POST', '/subjects/tide.app.nope-value', { schema: usersV2Text() })).body).toMatchObject({ error_code: 40401 });
    for (const body of [{ schema: '{"type": "nonsense"}' }, { schema: usersV2Text(), schemaType: 'PROTOBUF' }, { nothing: true }]) {
      const response = await requestJson('POST', '/subjects/tide.app.users-value', body);
      expect(response.status).toBe(422);
      expect(response.body).toMatchObject({ error_code: 42201 });
    }
    const malformed = await requestJson('POST', '/subjects/tide.app.users-value', '{not json');
    expect(malformed.status).toBe(400);
    expect(malformed.body).toMatchObject({ error_code: 400 });
  });

  it('serves a version\'s bare schema, the subject versions of an id, the schema types and the config', async () => {
    expect((await getJson('/subjects/tide.app.users-value/versions/2/schema')).body).toEqual(JSON.parse(registry.schemaById(ids.usersV1Value)!));
    expect((await getJson(`/schemas/ids/${ids.usersV1Value}/versions`)).body).toEqual([{ subject: 'tide.app.users-value', version: 2 }]);
    expect((await getJson(`/schemas/ids/${ids.firstUsersKey}/versions`)).body).toEqual([{ subject: 'tide.app.users-key', version: 1 }]);
    expect((await getJson('/schemas/ids/2/versions')).body).toEqual([{ subject: 'tide._transactions-key', version: 1 }]);
    expect((await getJson('/schemas/ids/6148/versions')).body).toMatchObject({ error_code: 40403 });
    expect((await getJson('/schemas/types')).body).toEqual(['AVRO']);
    expect((await getJson('/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await getJson('/config/tide.app.orders-value')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await getJson('/config/tide.app.nope-value')).body).toMatchObject({ error_code: 40401 });
  });

  it('checks BACKWARD compatibility: a new nullable column is, a new required one is not', async () => {
    const latest = JSON.parse(usersV2Text()) as { fields: { name: string; type: unknown }[] };
    const withOptional = { ...latest, fields: [...latest.fields, { name: 'extra', type: ['null', 'string'], default: null }] };
    const withRequired = { ...latest, fields: [...latest.fields, { name: 'extra', type: 'string' }] };
    const check = async (schema: unknown): Promise<unknown> => (await requestJson('POST', '/compatibility/subjects/tide.app.users-value/versions/latest', { schema: JSON.stringify(schema) })).body;
    expect(await check(withOptional)).toEqual({ is_compatible: true });
    expect(await check(withRequired)).toEqual({ is_compatible: false });
    expect((await requestJson('POST', '/compatibility/subjects/tide.app.users-value/versions/9', { schema: usersV2Text() })).body).toMatchObject({ error_code: 40402 });
  });

  it('answers unknown routes and methods under its paths in its own error shape', async () => {
    for (const [method, path] of [['GET', '/subjects/tide.app.users-value/nothing'], ['GET', '/schemas/nothing'], ['PATCH', '/subjects/tide.app.users-value/versions'], ['GET', '/mode'], ['GET', '/compatibility/x']] as const) {
      const response = await requestJson(method, path);
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.contentType).toMatch(/^application\/vnd\.schemaregistry\.v1\+json/);
      expect(response.body).toMatchObject({ error_code: 404 });
    }
  });
});
