import type { ServerResponse } from 'node:http';
import { Catch, HttpException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ProviderAuthException } from '../index.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import { relativePath, type Headers } from './http-io.js';
import type { ProviderProfile } from './provider-profile.js';

/**
 * Every error answer of an emulated provider. The library's refusals (from the guard and from
 * TokenService) go out exactly as the library shaped them; everything else — the emulator's own
 * refusals, Nest's 404 for an unknown route, a crash — in the provider's error body.
 */
@Catch()
export class EmulatorExceptionFilter implements ExceptionFilter {
  constructor(private readonly profile: ProviderProfile) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<ServerResponse>();
    if (res.headersSent) {
      res.destroy(); // half an answer is worse than none
      return;
    }
    const { status, body, headers } = this.answer(exception, http.getRequest());
    // Headers already set win: the pinned ones (rate limits, a fault's) and the guard's challenge.
    for (const [name, value] of Object.entries({ 'content-type': 'application/json', ...headers })) {
      if (!res.hasHeader(name)) res.setHeader(name, value);
    }
    const text = JSON.stringify(body);
    res.setHeader('content-length', Buffer.byteLength(text));
    res.writeHead(status);
    res.end(text);
  }

  private answer(exception: unknown, req: { method?: string; url?: string }): { status: number; body: unknown; headers: Headers } {
    if (exception instanceof ProviderAuthException) {
      const status = exception.getStatus();
      return { status, body: exception.getResponse(), headers: exception.challenge ? { 'www-authenticate': exception.challenge } : {} };
    }
    const path = relativePath(new URL(req.url ?? '/', 'http://127.0.0.1').pathname, this.profile.basePath);
    const kind = this.profile.classify((req.method ?? 'GET').toUpperCase(), path);
    const [status, message, fields] =
      exception instanceof EmulatorHttpError
        ? [exception.status, exception.message, exception.fields]
        : // Nest's own (the 404 of an unknown route, whose text names the path) and
          // RateLimitInterceptor's 429: the status only, worded by the provider.
          exception instanceof HttpException
          ? [exception.getStatus(), undefined, undefined]
          : [500, undefined, undefined];
    return { status, ...this.profile.errorAnswer(status, kind, message, fields) };
  }
}
