import { HttpException } from '@nestjs/common';
import { AFFILYNC, affilyncDialect } from '../dialects/affilync.dialect.js';
import { convertlyDialect } from '../dialects/convertly.dialect.js';

/** Every refusal the guards (and, for invalid input, the issuing services) can answer with. */
export type Refusal =
  | { reason: 'missing' | 'other-scheme' }
  | { reason: 'malformed' | 'invalid' | 'expired' | 'outside-header' | 'duplicate-header' }
  | { reason: 'insufficient-scope'; scopes: readonly string[] }
  | { reason: 'insufficient-role'; roles: readonly string[] }
  | { reason: 'plan' }
  | { reason: 'webhook-signature' }
  | { reason: 'webhook-media-type' }
  | { reason: 'webhook-envelope' }
  | { reason: 'webhook-busy' }
  | { reason: 'webhook-unavailable' }
  | { reason: 'unavailable' }
  | { reason: 'rate-limited' }
  | { reason: 'validation'; fields: readonly InvalidField[] };

/** One input field that failed validation, as Affilync's 422 `fields[]` lists it. */
export interface InvalidField {
  readonly field: string;
  readonly message: string;
}

/** An answer ready to send: status, body in the configured provider's shape, and challenge header. */
export class ProviderAuthException extends HttpException {
  constructor(
    status: number,
    body: Record<string, unknown>,
    /** `WWW-Authenticate` value, when the answer carries one. */
    readonly challenge: string | undefined,
    readonly code: string,
  ) {
    super(body, status);
    this.name = 'ProviderAuthException';
  }
}

/**
 * 422 `VALIDATION_ERROR`: input the app handed us (e.g. ApiKeyService.create()) is invalid. Its
 * message is the Convertly-format message, e.g. `Validation failed: scopes: unknown scope(s): 'x'`.
 */
export class ProviderAuthValidationException extends ProviderAuthException {
  constructor(
    body: Record<string, unknown>,
    readonly fields: readonly InvalidField[],
  ) {
    super(422, body, undefined, 'VALIDATION_ERROR');
    this.name = 'ProviderAuthValidationException';
    this.message = validationMessage(fields);
  }
}

const FORMATS = { affilync: affilyncDialect, convertly: convertlyDialect };

const VALIDATION_FAILED = 'Validation failed';

function validationMessage(fields: readonly InvalidField[]): string {
  return `${VALIDATION_FAILED}: ${fields.map((f) => `${f.field}: ${f.message}`).join('; ')}`;
}

/**
 * Affilync's errors page adds `fields` to its `{ detail: 'Validation failed', ... }` body; Convertly
 * documents no field list (only `message`), so its message spells the fields out.
 */
function validationAnswer(fields: readonly InvalidField[], format: keyof typeof FORMATS): ProviderAuthValidationException {
  const list = fields.map(({ field, message }) => ({ field, message }));
  const body =
    format === 'affilync'
      ? { ...FORMATS.affilync.formatError(422, 'VALIDATION_ERROR', VALIDATION_FAILED), fields: list }
      : FORMATS.convertly.formatError(422, 'VALIDATION_ERROR', validationMessage(list));
  return new ProviderAuthValidationException(body, list);
}

/** The documented answer for a refusal. Messages are ours, fixed: nothing from the token is echoed. */
export function answerFor(refusal: Refusal, format: keyof typeof FORMATS, realm: string): ProviderAuthException {
  const bearer = `Bearer realm="${realm}"`;
  const make = (status: number, code: string, message: string, challenge?: string) =>
    new ProviderAuthException(status, FORMATS[format].formatError(status, code, message), challenge, code);
  switch (refusal.reason) {
    case 'missing':
      return make(401, 'TOKEN_INVALID', 'Authentication required: send Authorization: Bearer <token>', bearer);
    case 'other-scheme':
      return make(401, 'TOKEN_INVALID', 'Unsupported authorization scheme: use Bearer', bearer);
    case 'malformed':
      return make(401, 'TOKEN_INVALID', 'Malformed bearer credential', `${bearer}, error="invalid_token"`);
    case 'invalid':
      return make(401, 'TOKEN_INVALID', 'Token is malformed or revoked', `${bearer}, error="invalid_token"`);
    case 'expired':
      return make(401, 'TOKEN_EXPIRED', FORMATS[format].tokenExpiredMessage, `${bearer}, error="invalid_token"`);
    case 'outside-header':
      return make(
        400,
        'INVALID_REQUEST',
        'Send the token in the Authorization header only, never in the query string or body',
        `${bearer}, error="invalid_request"`,
      );
    case 'duplicate-header':
      return make(400, 'INVALID_REQUEST', 'Send exactly one Authorization header', `${bearer}, error="invalid_request"`);
    case 'insufficient-scope':
      return make(
        403,
        'INSUFFICIENT_SCOPE',
        `Missing required scope: ${refusal.scopes.join(' ')}`,
        `${bearer}, error="insufficient_scope", scope="${refusal.scopes.join(' ')}"`,
      );
    case 'insufficient-role':
      return make(403, 'INSUFFICIENT_ROLE', `This action requires the ${refusal.roles.join(' or ')} role`);
    case 'plan':
      return make(403, 'PAYMENT_REQUIRED', 'Feature requires a paid plan');
    case 'webhook-signature':
      return make(401, 'SIGNATURE_INVALID', 'Webhook signature is missing or invalid');
    case 'webhook-media-type':
      return make(415, 'UNSUPPORTED_MEDIA_TYPE', 'Webhook bodies must be sent as application/json');
    case 'webhook-envelope':
      return make(400, 'INVALID_REQUEST', 'Webhook body is not an event envelope { id, event, created_at, data }');
    case 'webhook-busy':
      // Another delivery of the same event is being handled: the provider retries, and that retry
      // is answered from the outcome.
      return make(409, 'EVENT_IN_PROGRESS', 'This event is being handled by another delivery; deliver it again later');
    case 'webhook-unavailable':
      return make(503, 'SERVICE_UNAVAILABLE', 'Webhook events cannot be handled right now; deliver it again later');
    case 'unavailable':
      return make(503, 'SERVICE_UNAVAILABLE', 'Authentication is temporarily unavailable');
    case 'rate-limited':
      // Affilync's errors page: 429 RATE_LIMIT_EXCEEDED; Convertly's `error` is the reason phrase.
      return make(429, AFFILYNC.errorCodes.rateLimited, 'Rate limit exceeded');
    case 'validation':
      return validationAnswer(refusal.fields, format);
  }
}
