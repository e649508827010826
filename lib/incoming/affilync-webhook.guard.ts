import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { AFFILYNC } from '../dialects/affilync.dialect.js';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';
import { LOGGER_CONTEXT, PROVIDER_AUTH_OPTIONS } from '../provider-auth.constants.js';
import type { ResolvedIncomingOptions, ResolvedProviderAuthOptions } from '../provider-auth.options.js';
import { answerFor } from './auth-answers.js';

const SIGNATURE = new RegExp(`^${AFFILYNC.webhook.signaturePrefix}([0-9a-fA-F]{64})$`);
const NO_BODY = Buffer.alloc(0);

interface WebhookRequest {
  headers: Record<string, unknown>;
  rawBody?: unknown;
}

/**
 * Lets a request through only if `X-Affilync-Signature: sha256=<hex>` is the HMAC-SHA256 of its
 * raw body with `incoming.webhookSecret` (any of them, while rotating), compared in constant time;
 * the handler never runs otherwise. Needs the app created with `rawBody: true` (Express and Fastify): the parsed body
 * cannot be re-serialised byte for byte.
 *
 * What an outside request gets is never a 5xx: a missing or malformed signature is 401 (checked
 * before anything else); a well-formed one on a body Nest did not keep raw because it is not JSON
 * (Affilync sends JSON) is 415. Only a JSON body on an app started without `rawBody: true` — the
 * app's own mistake — is a 500, logged with how to fix it.
 *
 * @example @Public() @UseGuards(AffilyncWebhookGuard) @Post('webhooks/affilync') receive(@Body() event) { … }
 */
@Injectable()
export class AffilyncWebhookGuard implements CanActivate {
  private readonly options: ResolvedIncomingOptions;
  private readonly logger = new Logger(LOGGER_CONTEXT);
  private warnedMediaType = false;

  constructor(@Inject(PROVIDER_AUTH_OPTIONS) options: ResolvedProviderAuthOptions) {
    if (!options.incoming || options.incoming.webhookKeys.length === 0) {
      throw new ProviderAuthConfigError([
        { path: 'incoming.webhookSecret', problem: 'is not configured, but AffilyncWebhookGuard is used; give the whsec_ secret you registered with Affilync' },
      ]);
    }
    this.options = options.incoming;
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return false;
    const req = context.switchToHttp().getRequest<Partial<WebhookRequest> | undefined>();
    if (!req || typeof req.headers !== 'object' || req.headers === null) return false;
    const header = req.headers[AFFILYNC.webhook.signatureHeader];
    const given = typeof header === 'string' ? SIGNATURE.exec(header) : null;
    if (!given) throw answerFor({ reason: 'webhook-signature' }, this.options.errorFormat, this.options.realm);
    const body = this.rawBodyOf(req as WebhookRequest);
    const signature = Buffer.from(given[1], 'hex');
    // Every configured secret is tried, each compared in constant time: while rotating, the old
    // and the new one both pass; how many there are is all the timing can tell.
    let valid = false;
    for (const key of this.options.webhookKeys) {
      valid = timingSafeEqual(signature, createHmac(AFFILYNC.webhook.hmac, key).update(body).digest()) || valid;
    }
    if (valid) return true;
    throw answerFor({ reason: 'webhook-signature' }, this.options.errorFormat, this.options.realm);
  }

  /** The bytes that were signed; throws the 415 or the misconfiguration when they were not kept. */
  private rawBodyOf(req: WebhookRequest): Buffer {
    if (Buffer.isBuffer(req.rawBody)) return req.rawBody;
    // No body at all: no parser ran, and there is nothing to keep. The signature covers zero bytes.
    if (req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0') return NO_BODY;
    if (mediaTypeOf(req.headers['content-type']) === 'application/json') {
      // A deployment mistake, not a bad request: fail loudly (500, logged), and closed.
      throw new ProviderAuthConfigError([
        { path: 'rawBody', problem: 'AffilyncWebhookGuard needs the raw request body: create the app with NestFactory.create(AppModule, { rawBody: true })' },
      ]);
    }
    // Nest keeps raw bodies for JSON and urlencoded only; anything else is not what Affilync sends.
    // Logged once, without the header's value: outside requests must not be able to flood the log.
    if (!this.warnedMediaType) {
      this.warnedMediaType = true;
      this.logger.warn('AffilyncWebhookGuard refused a signed request whose body is not JSON (415); Affilync sends application/json');
    }
    throw answerFor({ reason: 'webhook-media-type' }, this.options.errorFormat, this.options.realm);
  }
}

/** `application/json` from `Application/JSON; charset=utf-8`; '' when absent. */
function mediaTypeOf(contentType: unknown): string {
  return typeof contentType === 'string' ? contentType.split(';', 1)[0].trim().toLowerCase() : '';
}
