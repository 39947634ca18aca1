// What every store process takes on its command line: the TideDB nodes it talks to and the
// account it logs in as, turned into the client's options.
import type { NodesOptions } from '@tidedb/client';

export const clientFlags = {
  nodes: { type: 'string', default: 'http://127.0.0.1:4001,http://127.0.0.1:4002,http://127.0.0.1:4003' },
  user: { type: 'string' },
  password: { type: 'string' },
} as const;

export function clientOptions(values: { readonly nodes: string; readonly user?: string | undefined; readonly password?: string | undefined }): NodesOptions {
  const nodes = splitList(values.nodes);
  if (nodes.length === 0) throw new Error('--nodes needs at least one URL');
  return {
    nodes,
    ...(values.user === undefined ? {} : { user: values.user }),
    ...(values.password === undefined ? {} : { password: values.password }),
  };
}

export function splitList(text: string): string[] {
  return text.split(',').map((part) => part.trim()).filter((part) => part !== '');
}

// Resolves on the first SIGINT or SIGTERM, so a main can close what it opened and exit.
export function stopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
}
