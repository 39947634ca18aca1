// GET /v1/openapi.json describes the node's HTTP API from the routes' own schemas: every route
// the router serves is in it (checked against the router itself), with its parameters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessNode } from './in-process-node.js';
import type { InProcessNode } from './in-process-node.js';

let node: InProcessNode;

beforeAll(async () => {
  node = await startInProcessNode();
});
afterAll(async () => node.close());

// "METHOD /path/{param}" for every route the router has, HEAD routes (fastify's automatic
// twins of GET) aside.
function routerRoutes(): Set<string> {
  const routes = new Set<string>();
  // The router prints a tree: each line is a path segment under the one above it at a lower
  // depth (four columns per level), with the methods served there in parentheses.
  const parents: string[] = [];
  for (const line of node.app.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^([│ ]*)[├└]── (\S+)(?: \(([A-Z, ]+)\))?/.exec(line);
    if (match === null) continue;
    const depth = match[1]!.length / 4;
    parents.length = depth;
    const path = parents.join('') + match[2]!;
    parents.push(match[2]!);
    for (const method of (match[3] ?? '').split(', ')) if (method !== '' && method !== 'HEAD') routes.add(`${method} ${path.replace(/:(\w+)/g, '{$1}')}`);
  }
  return routes;
}

describe('the OpenAPI document', () => {
  it('lists exactly the routes the node serves', async () => {
    const response = await node.app.inject({ method: 'GET', url: '/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toMatch(/^3\./);
    const documented = new Set(Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`)));
    const served = routerRoutes();
    expect(served.size).toBeGreaterThanOrEqual(8);
    // Wildcard routes (the registry's catch-alls, which answer unknown paths under its prefixes
    // in Confluent's error shape) print differently in the router's tree and the document;
    // both must have some, and every named route must match.
    const named = (routes: Set<string>): string[] => [...routes].filter((route) => !route.includes('*') && !route.startsWith('HEAD ')).sort();
    expect([...documented].some((route) => route.includes('*'))).toBe([...served].some((route) => route.includes('*')));
    expect(named(documented)).toEqual(named(served));
  });

  it('carries the routes’ schemas: the SQL body and the change stream’s parameters', async () => {
    const document = (await node.app.inject({ method: 'GET', url: '/v1/openapi.json' })).json() as {
      paths: Record<string, Record<string, { requestBody?: unknown; parameters?: { name: string; in: string }[] }>>;
    };
    expect(JSON.stringify(document.paths['/v1/sql']!['post']!.requestBody)).toContain('statements');
    const parameters = document.paths['/v1/changes']!['get']!.parameters!.map((parameter) => `${parameter.in}:${parameter.name}`);
    expect(parameters).toEqual(expect.arrayContaining(['query:table', 'query:from', 'query:snapshot', 'query:database', 'query:progress_ms']));
  });
});
