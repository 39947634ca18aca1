// Seed data for the store: products and users generated from one seed number, so the same seed
// always makes the same store. Idempotent: rows have fixed ids (1…n) and go in with INSERT
// IGNORE, and users whose id is already taken are skipped before their password is hashed, so a
// second run adds nothing. Run alone, `node dist/services/store/seed.js --nodes … [--seed 1]`, it
// first creates the store's tables where they are missing.
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { TideClient } from '@tidedb/client';
import type { SqlValue } from '@tidedb/client';
import { clientFlags, clientOptions } from './shared/flags.js';
import { hashPassword } from './shared/passwords.js';
import type { ScryptCost } from './shared/passwords.js';
import { storeSchema } from './schema.js';
import { seededRandom } from './shared/seeded-random.js';
import { sqlNow } from './shared/sql-time.js';

export interface SeedOptions {
  readonly seed: number;
  readonly products: number;
  readonly users: number;
}

export interface SeedCounts {
  readonly products: number;
  readonly users: number;
}

export const seedDefaults: SeedOptions = { seed: 1, products: 300, users: 3_000 };

// Seed users' hashes are made with a far cheaper cost than a real sign-up's (N=2^10 instead of
// 2^14): thousands of them would otherwise take minutes of CPU. They are demo accounts; their
// password is `shopper-<id>`.
const seedUserCost: ScryptCost = { N: 1_024, r: 8, p: 1 };
const rowsPerInsert = 200;

const adjectives = ['Amber', 'Brisk', 'Coastal', 'Dusky', 'Evergreen', 'Foggy', 'Golden', 'Harbor', 'Ivory', 'Jade', 'Kelp', 'Lunar', 'Misty', 'Nautical', 'Opal', 'Pebble', 'Quiet', 'Reef', 'Salt', 'Tidal'];
const nouns = ['Mug', 'Lantern', 'Blanket', 'Kettle', 'Notebook', 'Backpack', 'Candle', 'Scarf', 'Teapot', 'Compass', 'Umbrella', 'Bowl', 'Clock', 'Jacket', 'Towel'];
const firstNames = ['Ada', 'Bruno', 'Chloe', 'Dmitri', 'Elif', 'Farah', 'Goran', 'Hana', 'Ines', 'Jonas', 'Kemal', 'Lena', 'Mateo', 'Nia', 'Oskar', 'Priya'];
const lastNames = ['Albers', 'Baptiste', 'Costa', 'Dahl', 'Eriksen', 'Fontaine', 'Garcia', 'Huber', 'Ito', 'Jensen', 'Kowalski', 'Lindqvist', 'Moreau', 'Nakamura'];

export async function seedStore(client: TideClient, options: SeedOptions = seedDefaults): Promise<SeedCounts> {
  const random = seededRandom(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  let products = 0;
  for (let first = 1; first <= options.products; first += rowsPerInsert) {
    const rows: SqlValue[][] = [];
    for (let id = first; id < first + rowsPerInsert && id <= options.products; id++) {
      const name = `${pick(adjectives)} ${pick(nouns)} ${id}`;
      const price = (1 + Math.floor(random() * 19_900) / 100).toFixed(2);
      // A few products start nearly sold out, so rejections and low-stock alerts happen early.
      const stock = random() < 0.1 ? Math.floor(random() * 5) : 20 + Math.floor(random() * 180);
      rows.push([id, name, `The ${name.toLowerCase()}, from the seed catalogue.`, price, stock]);
    }
    products += await insertIgnore(client, 'products (id, name, description, price, stock)', rows);
  }
  let users = 0;
  for (let first = 1; first <= options.users; first += rowsPerInsert) {
    const last = Math.min(first + rowsPerInsert - 1, options.users);
    // The generator is drawn for every user, present or not, so a user's data depends only on
    // the seed and the id.
    const drawn = [];
    for (let id = first; id <= last; id++) drawn.push({ id, name: `${pick(firstNames)} ${pick(lastNames)}`, salt: Buffer.from(Array.from({ length: 16 }, () => Math.floor(random() * 256))) });
    const { rows } = await client.query<{ id: number }>('SELECT id FROM users WHERE id BETWEEN ? AND ?', [first, last]);
    const present = new Set(rows.map((row) => row.id));
    const createdAt = sqlNow();
    const missing = drawn.filter((user) => !present.has(user.id));
    const values = await Promise.all(missing.map(async (user) => [user.id, `shopper${user.id}@store.example`, user.name, await hashPassword(`shopper-${user.id}`, seedUserCost, user.salt), createdAt]));
    users += await insertIgnore(client, 'users (id, email, name, password_hash, created_at)', values);
  }
  return { products, users };
}

async function insertIgnore(client: TideClient, target: string, rows: readonly SqlValue[][]): Promise<number> {
  if (rows.length === 0) return 0;
  const tuple = `(${rows[0]!.map(() => '?').join(', ')})`;
  const result = await client.query(`INSERT IGNORE INTO ${target} VALUES ${rows.map(() => tuple).join(', ')}`, rows.flat());
  return result.rowsAffected;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...clientFlags,
      seed: { type: 'string', default: String(seedDefaults.seed) },
      products: { type: 'string', default: String(seedDefaults.products) },
      users: { type: 'string', default: String(seedDefaults.users) },
    },
  });
  const client = new TideClient(clientOptions(values));
  for (const sql of storeSchema) await client.query(sql);
  const counts = await seedStore(client, { seed: Number(values.seed), products: Number(values.products), users: Number(values.users) });
  process.stdout.write(`seeded ${counts.products} products and ${counts.users} users (already present ones skipped)\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
