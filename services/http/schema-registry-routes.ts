// The read side of the Confluent Schema Registry API, enough for standard clients to decode
// TideDB's Kafka events with the node as their registry: a consumer decoding a message asks
// GET /schemas/ids/{id}; tooling lists subjects and versions. Errors use the registry's shape
// and codes, not TideDB's, because that is what those clients parse.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { assertNever } from '../base/assert.js';
import type { SchemaRegistry } from '../cdc/schema-registry.js';

// The registry media type; Confluent clients send it in Accept and also take application/json.
const registryContentType = 'application/vnd.schemaregistry.v1+json';

const registryError = {
  subjectNotFound: { status: 404, code: 40401, message: 'Subject not found.' },
  versionNotFound: { status: 404, code: 40402, message: 'Version not found.' },
  schemaNotFound: { status: 404, code: 40403, message: 'Schema not found' },
  versionInvalid: { status: 422, code: 42202, message: 'The specified version is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"' },
} as const;

type RegistryReader = Pick<SchemaRegistry, 'schemaById' | 'subjects' | 'versions' | 'version'>;

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
