// Kysely, a query builder TypeScript users pick, over its MysqlDialect (a mysql2 pool) against
// a node's MySQL port: its Migrator creates its tables, takes its GET_LOCK lock and runs the
// migrations (once: a second run finds nothing to do), then typed CRUD through the builder.
import { createPool } from 'mysql2';
import { Kysely, MysqlDialect, sql } from 'kysely';
import type { Generated } from 'kysely';
import { Migrator } from 'kysely/migration';
import type { Migration } from 'kysely/migration';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMysqlNode } from './mysql-node.js';
import type { MysqlNode } from './mysql-node.js';

interface Database {
  authors: { id: Generated<number>; name: string; joined: Date | null };
  posts: { id: Generated<number>; author_id: number; title: string; score: string | null };
}

// Kysely migrations are written against `Kysely<any>`: they run before the schema exists.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDatabase = Kysely<any>;

const migrations: Record<string, Migration> = {
  '0001_authors': {
    async up(db: AnyDatabase) {
      await db.schema.createTable('authors').addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement()).addColumn('name', 'varchar(80)', (column) => column.notNull().unique()).addColumn('joined', 'date').execute();
    },
  },
  '0002_posts': {
    async up(db: AnyDatabase) {
      await db.schema
        .createTable('posts')
        .addColumn('id', 'integer', (column) => column.primaryKey().autoIncrement())
        .addColumn('author_id', 'integer', (column) => column.notNull().references('authors.id').onDelete('cascade'))
        .addColumn('title', 'varchar(200)', (column) => column.notNull())
        .execute();
      await db.schema.alterTable('posts').addColumn('score', 'decimal(5, 2)').execute();
    },
  },
};

let node: MysqlNode;
let db: Kysely<Database>;

beforeAll(async () => {
  node = await startMysqlNode({ port: 24050 });
  await (await mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root' })).query('CREATE DATABASE blog').then(() => {});
  db = new Kysely<Database>({ dialect: new MysqlDialect({ pool: createPool({ host: '127.0.0.1', port: node.port, user: 'root', database: 'blog', connectionLimit: 3, timezone: 'Z' }) }), log: (event) => { if (process.env['KYSELY_LOG'] !== undefined) console.log(event.level, event.query.sql, event.level === 'error' ? String(event.error) : ''); } });
});

afterAll(async () => {
  await db?.destroy();
  await node?.close();
});

describe('Kysely over the MySQL port', () => {
  it('runs the migrations once, under its migration lock', async () => {
    const migrator = new Migrator({ db, provider: { getMigrations: () => Promise.resolve(migrations) } });
    const first = await migrator.migrateToLatest();
    expect(first.error).toBeUndefined();
    expect(first.results?.map((result) => [result.migrationName, result.status])).toEqual([['0001_authors', 'Success'], ['0002_posts', 'Success']]);
    const second = await migrator.migrateToLatest();
    expect(second.error).toBeUndefined();
    expect(second.results).toEqual([]);
    const { rows } = await sql<{ name: string }>`SELECT name FROM kysely_migration ORDER BY name`.execute(db);
    expect(rows.map((row) => row.name)).toEqual(['0001_authors', '0002_posts']);
  });

  it('creates, reads, updates and deletes through the query builder', async () => {
    const ada = await db.insertInto('authors').values({ name: 'Ada', joined: new Date('2024-03-01T00:00:00Z') }).executeTakeFirstOrThrow();
    const grace = await db.insertInto('authors').values({ name: 'Grace', joined: null }).executeTakeFirstOrThrow();
    expect([ada.insertId, grace.insertId]).toEqual([1n, 2n]);
    await db.insertInto('posts').values([
      { author_id: 1, title: 'Engines', score: '9.50' },
      { author_id: 1, title: 'Notes', score: null },
      { author_id: 2, title: 'Compilers', score: '8.25' },
    ]).execute();
    const joined = await db.selectFrom('posts').innerJoin('authors', 'authors.id', 'posts.author_id').select(['authors.name', 'posts.title', 'posts.score']).where('posts.score', 'is not', null).orderBy('posts.title').execute();
    expect(joined).toEqual([
      { name: 'Grace', title: 'Compilers', score: '8.25' },
      { name: 'Ada', title: 'Engines', score: '9.50' },
    ]);
    const author = await db.selectFrom('authors').selectAll().where('name', '=', 'Ada').executeTakeFirstOrThrow();
    expect(author).toEqual({ id: 1, name: 'Ada', joined: new Date('2024-03-01T00:00:00Z') });
    const updated = await db.updateTable('posts').set({ score: '10.00' }).where('title', '=', 'Notes').executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(1n);
    await expect(db.insertInto('authors').values({ name: 'Ada', joined: null }).execute()).rejects.toMatchObject({ errno: 1062 });
    const deleted = await db.deleteFrom('authors').where('id', '=', 1).executeTakeFirstOrThrow();
    expect(deleted.numDeletedRows).toBe(1n);
    const left = await db.selectFrom('posts').select('title').orderBy('id').execute();
    expect(left).toEqual([{ title: 'Compilers' }]); // ON DELETE CASCADE took Ada's posts
  });

  it('holds GET_LOCK per connection until RELEASE_LOCK or the connection ends', async () => {
    const [first, second] = await Promise.all([0, 1].map(() => mysql.createConnection({ host: '127.0.0.1', port: node.port, user: 'root' })));
    const lock = async (connection: mysql.Connection, statement: string): Promise<unknown> => Object.values((await connection.query<RowDataPacket[]>(statement))[0][0]!)[0];
    expect(await lock(first!, "SELECT GET_LOCK('deploy', 5)")).toBe(1);
    expect(await lock(second!, "SELECT GET_LOCK('deploy', 0)")).toBe(0);
    expect(await lock(second!, "SELECT RELEASE_LOCK('deploy')")).toBe(0);
    const waiting = lock(second!, "SELECT GET_LOCK('deploy', 5) AS got");
    await first!.end(); // its locks go with it
    expect(await waiting).toBe(1);
    expect(await lock(second!, "SELECT RELEASE_LOCK('deploy')")).toBe(1);
    expect(await lock(second!, "SELECT RELEASE_LOCK('deploy')")).toBe(null);
    await second!.end();
  });
});
