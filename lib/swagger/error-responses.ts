import type { ResponseObject, SchemaObject } from '@nestjs/swagger';
import { AFFILYNC } from '../dialects/affilync.dialect.js';
import { answerFor, type Refusal } from '../incoming/auth-answers.js';
import type { RouteRule } from '../incoming/route-rules.js';

export type ErrorFormat = 'affilync' | 'convertly';

/** The name of the refusal body's schema in components.schemas. */
export const ERROR_SCHEMA_NAME = 'ProviderAuthError';

/** The body every refusal of ProviderAuthGuard (and ProviderThrottlerGuard) carries, in the configured format. */
export function errorSchema(format: ErrorFormat): SchemaObject {
  return format === 'affilync'
    ? {
        type: 'object',
        description: 'A refusal, in the Affilync error format',
        required: ['detail', 'error_code', 'status'],
        properties: {
          detail: { type: 'string', description: 'What went wrong, for people' },
          error_code: { type: 'string', description: 'What went wrong, for programs', example: 'TOKEN_INVALID' },
          status: { type: 'integer', description: 'The HTTP status', example: 401 },
        },
      }
    : {
        type: 'object',
        description: 'A refusal, in the Convertly error format',
        required: ['statusCode', 'message', 'error'],
        properties: {
          statusCode: { type: 'integer', description: 'The HTTP status', example: 401 },
          message: { type: 'string', description: 'What went wrong' },
          error: { type: 'string', description: 'The HTTP reason phrase', example: 'Unauthorized' },
        },
      };
}

interface Example {
  code: string;
  summary: string;
  refusal: Refusal;
}

/** One response: the examples are the very bodies (and challenges) the guard answers with. */
function response(description: string, examples: Example[], format: ErrorFormat, realm: string, headers: ResponseObject['headers'] = {}): ResponseObject {
  const answers = examples.map((e) => ({ ...e, answer: answerFor(e.refusal, format, realm) }));
  const challenges = [...new Set(answers.map((a) => a.answer.challenge).filter((c): c is string => c !== undefined))];
  return {
    description,
    headers: {
      ...(challenges.length > 0 && {
        'WWW-Authenticate': {
          description: 'The RFC 6750 challenge',
          schema: { type: 'string', example: challenges[challenges.length - 1] },
        },
      }),
      ...headers,
    },
    content: {
      'application/json': {
        schema: { $ref: `#/components/schemas/${ERROR_SCHEMA_NAME}` },
        examples: Object.fromEntries(answers.map((a) => [a.code, { summary: a.summary, value: a.answer.getResponse() }])),
      },
    },
  };
}

/** 401: no, bad, revoked or expired credential. */
export function unauthorizedResponse(format: ErrorFormat, realm: string): ResponseObject {
  return response(
    'Unauthorized: the bearer credential is missing, malformed, unknown or revoked (`TOKEN_INVALID`), or expired (`TOKEN_EXPIRED`)',
    [
      { code: 'TOKEN_INVALID', summary: 'No credential (a bad or revoked one: the same code)', refusal: { reason: 'missing' } },
      { code: 'TOKEN_EXPIRED', summary: 'An expired access token or API key', refusal: { reason: 'expired' } },
    ],
    format,
    realm,
  );
}

/** 403: what this route checks beyond authentication; undefined when it checks nothing more. */
export function forbiddenResponse(rule: RouteRule, plans: readonly string[] | undefined, format: ErrorFormat, realm: string): ResponseObject | undefined {
  const examples: Example[] = [];
  const codes: string[] = [];
  if (rule.roles.length > 0) {
    codes.push('`INSUFFICIENT_ROLE`: the user lacks the role (API keys never have one)');
    examples.push({
      code: 'INSUFFICIENT_ROLE',
      summary: `Requires the ${rule.roles.join(' or ')} role`,
      refusal: { reason: 'insufficient-role', roles: rule.roles },
    });
  }
  if (rule.scopes.length > 0) {
    codes.push('`INSUFFICIENT_SCOPE`: the credential lacks a required scope');
    examples.push({
      code: 'INSUFFICIENT_SCOPE',
      summary: `Requires ${rule.scopes.join(', ')}`,
      refusal: { reason: 'insufficient-scope', scopes: rule.scopes },
    });
  }
  if (plans) {
    codes.push(`\`PAYMENT_REQUIRED\`: the user's plan is not one of ${plans.join(', ')}`);
    examples.push({ code: 'PAYMENT_REQUIRED', summary: 'The user is not on an allowed plan', refusal: { reason: 'plan' } });
  }
  if (examples.length === 0) return undefined;
  return response(`Forbidden: ${codes.join('; ')}`, examples, format, realm);
}

/** 429 from ProviderThrottlerGuard, with the headers it writes. */
export function rateLimitedResponse(format: ErrorFormat, realm: string): ResponseObject {
  const names = AFFILYNC.rateLimitHeaders;
  const integer = (description: string) => ({ description, schema: { type: 'integer' as const } });
  return response(
    `Too Many Requests (\`${AFFILYNC.errorCodes.rateLimited}\`): this credential's (or, without one, this client's) budget is spent`,
    [{ code: AFFILYNC.errorCodes.rateLimited, summary: 'The budget is spent; retry after Retry-After seconds', refusal: { reason: 'rate-limited' } }],
    format,
    realm,
    {
      'Retry-After': integer('Seconds until a request may be sent again'),
      [names.limit]: integer('Requests allowed in the window'),
      [names.remaining]: integer('Requests left in the window'),
      [names.reset]: integer('When the window ends, in epoch seconds'),
    },
  );
}
