// The Confluent Schema Registry API as clients call it, with the node as their registry: a
// consumer decoding a message asks GET /schemas/ids/{id}; a producer registers or looks up its
// schema; tooling lists subjects, versions, config and compatibility. Subjects follow the
// catalog (cdc/DESIGN.md): registering a schema a subject already has answers its id, any other
// change (a new schema, a delete, another compatibility level) is refused as the registry
// refuses writes in read-only mode. Errors use the registry's shape and codes, not TideDB's,
// because that is what those clients parse, for unknown routes under its paths too.
import avsc from 'avsc';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { assertNever } from '../base/assert.js';
import { readsEventsOf } from '../cdc/schema-compatibility.js';
import type { SchemaRegistry } from '../cdc/schema-registry.js';

// The registry media type; Confluent clients send it in Accept and also take application/json.
const registryContentType = 'application/vnd.schemaregistry.v1+json';

const registryError = {
  subjectNotFound: { status: 404, code: 40401, message: 'Subject not found.' },
  versionNotFound: { status: 404, code: 40402, message: 'Version not found.' },
  schemaNotFound: { status: 404, code: 40403, message: 'Schema not found' },
  versionInvalid: { status: 422, code: 42202, message: 'The specified version is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"' },
  schemaInvalid: { status: 422, code: 42201, message: 'Invalid schema: the body must be {"schema": "<Avro schema JSON>"} of schemaType AVRO' },
  compatibilityInvalid: { status: 422, code: 42203, message: 'Invalid compatibility level: subjects follow the catalog, whose schema versions are BACKWARD compatible' },
  catalogOwned: { status: 422, code: 42205, message: 'Operation not permitted: subjects follow the TideDB catalog; a new schema version comes from CREATE TABLE or ALTER TABLE, and versions are never deleted' },
  notFound: { status: 404, code: 404, message: 'HTTP 404 Not Found' },
} as const;

// The only level: each table version's schemas can read the events of the version before it.
const compatibilityLevel = 'BACKWARD';

type RegistryReader = Pick<SchemaRegistry, 'schemaById' | 'subjects' | 'versions' | 'version' | 'subjectVersionsOfId' | 'findSchema'>;

// A schema posted by a client: {schema, schemaType?, references?}; only AVRO without references.
interface SchemaBody {
  readonly schema: string;
}

function schemaBodyOf(body: unknown): SchemaBody | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const fields = body as Record<string, unknown>;
  if (typeof fields['schema'] !== 'string') return undefined;
  if (fields['schemaType'] !== undefined && fields['schemaType'] !== 'AVRO') return undefined;
  if (fields['references'] !== undefined && !(Array.isArray(fields['references']) && fields['references'].length === 0)) return undefined;
  try {
    avsc.Type.forSchema(JSON.parse(fields['schema']) as avsc.Schema);
  } catch {
    return undefined;
  }
  return { schema: fields['schema'] };
}

// Path parameters are validated by these schemas before a handler runs; the handlers then
// parse the numbers themselves so that a bad one gets the registry's error, not fastify's.
const idParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string' } },
} as const;
const subjectParams = {
  type: 'object',
  required: ['subject'],
  properties: { subject: { type: 'string', minLength: 1 } },
} as const;
const versionParams = {
  type: 'object',
  required: ['subject', 'version'],
  properties: { subject: { type: 'string', minLength: 1 }, version: { type: 'string' } },
} as const;

export function schemaRegistryRoutes(registry: RegistryReader): FastifyPluginAsync {
  return async function routes(app: FastifyInstance): Promise<void> {
    // Confluent clients send their bodies in the registry media type.
    app.addContentTypeParser(registryContentType, { parseAs: 'string' }, (_request, body, done) => {
      try {
        done(null, JSON.parse(body as string));
      } catch {
        done(Object.assign(new Error('Unexpected character in the JSON body'), { statusCode: 400 }));
      }
    });
    // A failure before a handler (a body that is not JSON, too large, an unknown media type)
    // also answers in the registry's shape, with its HTTP status as the error code.
    app.setErrorHandler((error: unknown, _request, reply) => {
      const fields = (typeof error === 'object' && error !== null ? error : {}) as { statusCode?: unknown; message?: unknown };
      const status = typeof fields.statusCode === 'number' && fields.statusCode >= 400 && fields.statusCode < 500 ? fields.statusCode : 500;
      // A server error's own message may say more than a client should see.
      const message = status === 500 ? 'Internal server error' : String(fields.message);
      return reply.code(status).type(registryContentType).send({ error_code: status === 500 ? 50001 : status, message });
    });
    app.get<{ Params: { id: string } }>('/schemas/ids/:id', { schema: { params: idParams } }, async (request, reply) => {
      const id = parsePositiveInt(request.params.id);
      const schema = id === undefined ? undefined : registry.schemaById(id);
      if (schema === undefined) return sendError(reply, registryError.schemaNotFound);
      return sendRegistry(reply, { schema });
    });

    app.get('/subjects', async (_request, reply) => sendRegistry(reply, registry.subjects()));

    app.get<{ Params: { subject: string } }>(
      '/subjects/:subject/versions',
      { schema: { params: subjectParams } },
      async (request, reply) => {
        const versions = registry.versions(request.params.subject);
        if (versions === undefined) return sendError(reply, registryError.subjectNotFound);
        return sendRegistry(reply, versions);
      },
    );

    app.get<{ Params: { subject: string; version: string } }>(
      '/subjects/:subject/versions/:version',
      { schema: { params: versionParams } },
      async (request, reply) => {
        const version = parseVersion(request.params.version);
        if (version === undefined) return sendError(reply, registryError.versionInvalid);
        const lookup = registry.version(request.params.subject, version);
        switch (lookup.kind) {
          case 'subject_not_found':
            return sendError(reply, registryError.subjectNotFound);
          case 'version_not_found':
            return sendError(reply, registryError.versionNotFound);
          case 'found':
            return sendRegistry(reply, lookup.version);
          default:
            return assertNever(lookup);
        }
      },
    );

    app.get<{ Params: { subject: string; version: string } }>(
      '/subjects/:subject/versions/:version/schema',
      { schema: { params: versionParams } },
      async (request, reply) => {
        const version = parseVersion(request.params.version);
        if (version === undefined) return sendError(reply, registryError.versionInvalid);
        const lookup = registry.version(request.params.subject, version);
        if (lookup.kind !== 'found') return sendError(reply, lookup.kind === 'subject_not_found' ? registryError.subjectNotFound : registryError.versionNotFound);
        return sendRegistry(reply, lookup.version.schema);
      },
    );

    app.get<{ Params: { id: string } }>('/schemas/ids/:id/versions', { schema: { params: idParams } }, async (request, reply) => {
      const id = parsePositiveInt(request.params.id);
      const versions = id === undefined ? undefined : registry.subjectVersionsOfId(id);
      if (versions === undefined) return sendError(reply, registryError.schemaNotFound);
      return sendRegistry(reply, versions);
    });

    app.get('/schemas/types', async (_request, reply) => sendRegistry(reply, ['AVRO']));

    app.get('/config', async (_request, reply) => sendRegistry(reply, { compatibilityLevel }));
    app.get<{ Params: { subject: string } }>('/config/:subject', { schema: { params: subjectParams } }, async (request, reply) => {
      if (registry.versions(request.params.subject) === undefined) return sendError(reply, registryError.subjectNotFound);
      return sendRegistry(reply, { compatibilityLevel });
    });
    // Setting the level it already has is accepted, as the registry does; any other is refused.
    const putConfig = async (body: unknown, reply: FastifyReply): Promise<FastifyReply> => {
      const level = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['compatibility'] : undefined;
      if (level !== compatibilityLevel) return sendError(reply, registryError.compatibilityInvalid);
      return sendRegistry(reply, { compatibility: compatibilityLevel });
    };
    app.put('/config', async (request, reply) => putConfig(request.body, reply));
    app.put<{ Params: { subject: string } }>('/config/:subject', { schema: { params: subjectParams } }, async (request, reply) => {
      if (registry.versions(request.params.subject) === undefined) return sendError(reply, registryError.subjectNotFound);
      return putConfig(request.body, reply);
    });

    // Look up: the version of the subject that has this schema.
    app.post<{ Params: { subject: string } }>('/subjects/:subject', { schema: { params: subjectParams } }, async (request, reply) => {
      const body = schemaBodyOf(request.body);
      if (body === undefined) return sendError(reply, registryError.schemaInvalid);
      const found = registry.findSchema(request.params.subject, body.schema);
      if (found === 'subject_not_found') return sendError(reply, registryError.subjectNotFound);
      if (found === undefined) return sendError(reply, registryError.schemaNotFound);
      return sendRegistry(reply, found);
    });

    // Register: a schema the subject has answers its id; a new one is the catalog's to make.
    app.post<{ Params: { subject: string } }>('/subjects/:subject/versions', { schema: { params: subjectParams } }, async (request, reply) => {
      const body = schemaBodyOf(request.body);
      if (body === undefined) return sendError(reply, registryError.schemaInvalid);
      const found = registry.findSchema(request.params.subject, body.schema);
      if (found === undefined || found === 'subject_not_found') return sendError(reply, registryError.catalogOwned);
      return sendRegistry(reply, { id: found.id });
    });

    app.post<{ Params: { subject: string; version: string } }>(
      '/compatibility/subjects/:subject/versions/:version',
      { schema: { params: versionParams } },
      async (request, reply) => {
        const body = schemaBodyOf(request.body);
        if (body === undefined) return sendError(reply, registryError.schemaInvalid);
        const version = parseVersion(request.params.version);
        if (version === undefined) return sendError(reply, registryError.versionInvalid);
        const lookup = registry.version(request.params.subject, version);
        if (lookup.kind !== 'found') return sendError(reply, lookup.kind === 'subject_not_found' ? registryError.subjectNotFound : registryError.versionNotFound);
        return sendRegistry(reply, { is_compatible: readsEventsOf(body.schema, lookup.version.schema) });
      },
    );

    app.delete('/subjects/:subject', async (_request, reply) => sendError(reply, registryError.catalogOwned));
    app.delete('/subjects/:subject/versions/:version', async (_request, reply) => sendError(reply, registryError.catalogOwned));

    // Anything else under the registry's paths answers in the registry's shape.
    for (const path of ['/subjects/*', '/schemas/*', '/config/*', '/compatibility/*', '/mode', '/mode/*']) {
      app.all(path, async (_request, reply) => sendError(reply, registryError.notFound));
    }
  };
}

function sendRegistry(reply: FastifyReply, body: unknown): FastifyReply {
  return reply.type(registryContentType).send(body);
}

function sendError(reply: FastifyReply, error: (typeof registryError)[keyof typeof registryError]): FastifyReply {
  return reply.code(error.status).type(registryContentType).send({ error_code: error.code, message: error.message });
}

const positiveIntPattern = /^[1-9][0-9]{0,9}$/;
const versionMax = 2 ** 31 - 1;

function parsePositiveInt(text: string): number | undefined {
  if (!positiveIntPattern.test(text)) return undefined;
  const value = Number(text);
  return value <= versionMax ? value : undefined;
}

// A version is 1..2^31-1, "latest", or -1 (the registry's other spelling of latest).
function parseVersion(text: string): number | 'latest' | undefined {
  if (text === 'latest' || text === '-1') return 'latest';
  return parsePositiveInt(text);
}
