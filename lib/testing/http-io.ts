import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body read; a bigger one is treated as malformed. */
const MAX_BODY_BYTES = 1 << 20;

export type Headers = Record<string, string>;

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

/** A request body as the routes see it: its JSON value, nothing (empty), or malformed (not JSON, or over the size limit). */
export type ParsedBody = { readonly kind: 'json'; readonly value: unknown } | { readonly kind: 'empty' } | { readonly kind: 'malformed' };

export function parseJsonBody(text: string | undefined): ParsedBody {
  if (text === undefined) return { kind: 'malformed' };
  if (text.trim() === '') return { kind: 'empty' };
  try {
    return { kind: 'json', value: JSON.parse(text) as unknown };
  } catch {
    return { kind: 'malformed' };
  }
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
