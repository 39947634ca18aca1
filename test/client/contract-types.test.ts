// The client's types are the node's wire types: the package cannot import the node's code, so
// its copies are held to it here. A drift fails the type-check that every test run starts with
// (test/run-all.sh), before any test runs: each event the node sends must be assignable to the
// client's type of it, with the same field names.
import { describe, expectTypeOf, it } from 'vitest';
import type * as Client from '../../packages/client/src/index.js';
import type * as Node from '../../services/cdc/stream-events.js';
import type { Value } from '../../services/storage/types.js';

type Row = Readonly<Record<string, Value>>;

describe("the client's stream types", () => {
  it('take every event the node sends, field for field', () => {
    expectTypeOf<Node.ChangeEvent>().toMatchTypeOf<Client.ChangeEvent<Row>>();
    expectTypeOf<keyof Node.ChangeEvent>().toEqualTypeOf<keyof Client.ChangeEvent<Row>>();
    expectTypeOf<Node.DdlEvent>().toEqualTypeOf<Client.DdlEvent>();
    expectTypeOf<Node.SchemaEvent>().toEqualTypeOf<Client.SchemaEvent>();
    expectTypeOf<Node.ProgressEvent>().toEqualTypeOf<Client.ProgressEvent>();
    expectTypeOf<Node.SnapshotEndEvent>().toEqualTypeOf<Client.SnapshotEndEvent>();
  });
});
