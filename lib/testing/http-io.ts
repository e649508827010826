import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body read; a bigger one is treated as malformed. */
const MAX_BODY_BYTES = 1 << 20;

export type Headers = Record<string, string>;

/**
 * One request as a route handler sees it. Every answer goes through send()/sendEmpty(), which add
 * the pinned headers (rate-limit headers, a fault's extra headers) last so that they win.
 */
export interface RequestContext {
  readonly method: string;
  readonly url: URL;
  /** Path relative to the provider's base path ('/campaigns'), or undefined outside it. */
  readonly path: string | undefined;
  header(name: string): string | undefined;
  /** The Bearer credential of the Authorization header, if any. */
  bearer(): string | undefined;
  /** The body as text; undefined if it could not be read or was too big. */
  text(): Promise<string | undefined>;
  send(status: number, body: unknown, headers?: Headers): void;
  sendEmpty(status: number, headers?: Headers): void;
}

export function createContext(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  url: URL,
  path: string | undefined,
  pinned: Headers,
): RequestContext {
  const header = (name: string) => {
    const v = req.headers[name.toLowerCase()];
    return Array.isArray(v) ? v[0] : v;
  };
  return {
    method,
    url,
    path,
    header,
    bearer() {
      const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header('authorization') ?? '');
      return m ? m[1] : undefined;
    },
    text: () => readBody(req),
    send: (status, body, headers = {}) =>
      writeAnswer(res, status, { 'content-type': 'application/json', ...headers, ...pinned }, JSON.stringify(body)),
    sendEmpty: (status, headers = {}) => writeAnswer(res, status, { ...headers, ...pinned }),
  };
}

/** Sets each header in order (later ones win, names case-insensitive), then the status and body. */
export function writeAnswer(res: ServerResponse, status: number, headers: Headers, body?: string): void {
  if (res.headersSent || res.destroyed) return;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (body !== undefined) res.setHeader('content-length', Buffer.byteLength(body));
  res.writeHead(status);
  res.end(body);
}

export function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size <= MAX_BODY_BYTES ? Buffer.concat(chunks).toString('utf8') : undefined));
    req.on('error', () => resolve(undefined));
    req.on('close', () => resolve(undefined)); // no-op after 'end'
  });
}

/** A JSON object body, or undefined for anything else (bad JSON, array, empty). */
export function parseJsonObject(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** '/api/campaigns' under '/api' → '/campaigns'; outside the base path → undefined. */
export function relativePath(pathname: string, basePath: string): string | undefined {
  if (pathname === basePath) return '/';
  return pathname.startsWith(`${basePath}/`) ? pathname.slice(basePath.length) : undefined;
}

/** A query parameter as a whole number: undefined when absent, NaN when not made of digits only. */
export function intParam(params: URLSearchParams, name: string): number | undefined {
  const raw = params.get(name);
  if (raw === null) return undefined;
  return /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
}

export interface Route {
  method: string;
  /** Matched against the relative path; its first group, URL-decoded, is the route's id. */
  pattern: RegExp;
}

/** The route for this method and path, with the id from its pattern ('' when it has none). */
export function matchRoute<R extends Route>(routes: readonly R[], method: string, path: string | undefined): { route: R; id: string } | undefined {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.pattern.exec(path ?? '');
    if (m) return { route, id: decodeSegment(m[1] ?? '') };
  }
  return undefined;
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
