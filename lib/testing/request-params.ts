import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

/**
 * The query string as URLSearchParams. The routes read it as the old emulator did (first value of
 * a name, digits-only numbers) rather than through Express's query parser, which turns repeated
 * or bracketed names into arrays and objects.
 */
export const SearchParams = createParamDecorator((_: unknown, ctx: ExecutionContext): URLSearchParams => {
  const req = ctx.switchToHttp().getRequest<{ originalUrl?: string; url?: string }>();
  return new URL(req.originalUrl ?? req.url ?? '/', 'http://127.0.0.1').searchParams;
});

/** The request body's string fields that are missing, as validation problems. */
export function missingStrings(body: Record<string, unknown> | undefined, names: string[]): { field: string; message: string }[] {
  return names.filter((n) => typeof body?.[n] !== 'string').map((field) => ({ field, message: 'field required (a string)' }));
}
