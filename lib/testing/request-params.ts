import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { EmulatorHttpError } from './emulator-http-error.js';
import type { ParsedBody } from './http-io.js';

/** Where the request pipeline leaves the parsed body for JsonBody. */
const PARSED_BODY = Symbol('emulator parsed body');

interface PipelineRequest {
  body?: unknown;
  [PARSED_BODY]?: ParsedBody;
}

/**
 * Called by the request pipeline: `req.body` is the JSON value (undefined when empty or
 * malformed), as the library's guard expects it; JsonBody reads the rest.
 */
export function setBody(req: object, parsed: ParsedBody): void {
  const r = req as PipelineRequest;
  r[PARSED_BODY] = parsed;
  r.body = parsed.kind === 'json' ? parsed.value : undefined;
}

/**
 * The request's JSON body (undefined when there is none). A body that is not JSON is refused with
 * 400 ("malformed JSON", as Affilync's errors page says; Convertly answers 400 to bad input too),
 * after the guard: an unauthenticated request still gets its 401 first.
 */
export const JsonBody = createParamDecorator((_: unknown, ctx: ExecutionContext): unknown => {
  const parsed = ctx.switchToHttp().getRequest<PipelineRequest>()[PARSED_BODY];
  if (parsed?.kind === 'malformed') throw new EmulatorHttpError(400, 'Malformed JSON body');
  return parsed?.kind === 'json' ? parsed.value : undefined;
});

/**
 * The query string as URLSearchParams. The routes read it as the old emulator did (first value of
 * a name, digits-only numbers) rather than through Express's query parser, which turns repeated
 * or bracketed names into arrays and objects.
 */
export const SearchParams = createParamDecorator((_: unknown, ctx: ExecutionContext): URLSearchParams => {
  const req = ctx.switchToHttp().getRequest<{ originalUrl?: string; url?: string }>();
  return new URL(req.originalUrl ?? req.url ?? '/', 'http://127.0.0.1').searchParams;
});
