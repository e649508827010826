import type { INestApplication } from '@nestjs/common';
import type { OpenAPIObject, OperationObject, ResponseObject } from '@nestjs/swagger';
import type { RouteRule } from '../incoming/route-rules.js';
import { PROVIDER_AUTH_OPTIONS } from '../provider-auth.constants.js';
import type { ResolvedProviderAuthOptions } from '../provider-auth.options.js';
import { ERROR_SCHEMA_NAME, errorSchema, forbiddenResponse, rateLimitedResponse, unauthorizedResponse, type ErrorFormat } from './error-responses.js';
import { RouteProtectionReader, type RouteProtection } from './route-protection.js';
import { findProvider, operationKey, pathShape, routeTable, type AppRoute } from './route-table.js';

/** Options of applyProviderAuthOpenApi(). */
export interface ProviderAuthOpenApiOptions {
  /** The security scheme's name in `components.securitySchemes` (default `'bearer'`). */
  securitySchemeName?: string;
  /** The scheme's `bearerFormat`, shown by Swagger UI (default `'JWT or afk_live_ API key'`). */
  bearerFormat?: string;
}

// The operations an OpenAPI path item may hold (3.0's eight, and the two @nestjs/swagger adds).
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'search', 'query'] as const;

/** Where the app is configured: the error format and realm of refusals, and the plan gate. */
interface AuthSettings {
  format: ErrorFormat;
  realm: string;
  plans?: readonly string[];
}

function settingsOf(app: INestApplication): AuthSettings {
  // Absent without ProviderAuthModule: then no ProviderAuthGuard can run either.
  const options = findProvider<ResolvedProviderAuthOptions>(app, PROVIDER_AUTH_OPTIONS);
  const incoming = options?.incoming;
  return {
    format: incoming?.errorFormat ?? 'affilync',
    realm: incoming?.realm ?? 'api',
    plans: incoming?.allowedPlans ? [...incoming.allowedPlans] : undefined,
  };
}

/**
 * Documents ProviderAuthGuard in an OpenAPI document made by `SwaggerModule.createDocument()`: a
 * bearer security scheme; on each guarded route its security requirement, `x-required-scopes`,
 * its scopes and roles in the description, and its 401/403 (and, behind ProviderThrottlerGuard,
 * 429) answers in the configured error format; `security: []` on routes no guard protects. Routes
 * another guard decides are left as they are, and so is anything the document already states
 * (an operation's own `security`, a response for the same status). Mutates and returns `document`.
 *
 * @example
 * const document = SwaggerModule.createDocument(app, config);
 * applyProviderAuthOpenApi(app, document);
 * SwaggerModule.setup('docs', app, document);
 */
export function applyProviderAuthOpenApi(app: INestApplication, document: OpenAPIObject, options: ProviderAuthOpenApiOptions = {}): OpenAPIObject {
  const scheme = options.securitySchemeName ?? 'bearer';
  const settings = settingsOf(app);
  const routes = routeTable(app);
  const reader = new RouteProtectionReader(app);

  const components = (document.components ??= {});
  const schemes = (components.securitySchemes ??= {});
  schemes[scheme] ??= { type: 'http', scheme: 'bearer', bearerFormat: options.bearerFormat ?? 'JWT or afk_live_ API key' };
  let errorsDocumented = false;

  for (const [path, item] of Object.entries(document.paths ?? {})) {
    const shape = pathShape(path, 'openapi');
    for (const method of METHODS) {
      const operation = (item as Partial<Record<(typeof METHODS)[number], OperationObject>>)[method];
      if (!operation) continue;
      const key = operationKey(method, shape);
      const route: AppRoute | undefined = routes.prefixed.get(key) ?? routes.unprefixed.get(key);
      if (!route) continue; // added to the document by hand: nothing to read
      errorsDocumented = annotate(operation, reader.protectionOf(route), scheme, settings) || errorsDocumented;
    }
  }

  if (errorsDocumented) (components.schemas ??= {})[ERROR_SCHEMA_NAME] ??= errorSchema(settings.format);
  return document;
}

/** Annotates one operation; true when it now refers to the error schema. */
function annotate(operation: OperationObject, protection: RouteProtection, scheme: string, settings: AuthSettings): boolean {
  if (protection.kind === 'unknown') return false;
  const responses: [status: string, answer: ResponseObject][] = [];
  if (protection.kind === 'open') {
    operation.security ??= [];
  } else {
    const { rule } = protection;
    // OpenAPI 3.0 lists scopes only for oauth2/openIdConnect schemes, so they go in an extension.
    operation.security ??= [{ [scheme]: [] }];
    const extensions = operation as unknown as Record<`x-${string}`, unknown>;
    extensions['x-required-scopes'] = [...rule.scopes];
    if (rule.roles.length > 0) extensions['x-required-roles'] = [...rule.roles];
    appendDescription(operation, describe(rule, settings.plans));
    responses.push(['401', unauthorizedResponse(settings.format, settings.realm)]);
    const forbidden = forbiddenResponse(rule, settings.plans, settings.format, settings.realm);
    if (forbidden) responses.push(['403', forbidden]);
  }
  if (protection.throttled) responses.push(['429', rateLimitedResponse(settings.format, settings.realm)]);
  const own = (operation.responses ??= {});
  let added = false;
  for (const [status, answer] of responses) {
    if (status in own) continue; // the user's own documentation of this status wins
    own[status] = answer;
    added = true;
  }
  return added;
}

/** The route's requirements as text for people: scopes, roles, plans. */
function describe(rule: RouteRule, plans: readonly string[] | undefined): string {
  const code = (list: readonly string[]) => list.map((s) => `\`${s}\``).join(', ');
  const lines = ['**Authentication:** a bearer credential (`Authorization: Bearer …`): an access token or an `afk_live_` API key.'];
  lines.push(rule.scopes.length > 0 ? `**Required scopes:** ${code(rule.scopes)} (all of them).` : '**Required scopes:** none.');
  if (rule.roles.length > 0) lines.push(`**Required role:** ${rule.roles.map((r) => `\`${r}\``).join(' or ')} (admin satisfies member; API keys are refused).`);
  if (plans) lines.push(`**Plans:** users on ${code(plans)}.`);
  return lines.join('\n\n');
}

function appendDescription(operation: OperationObject, text: string): void {
  const own = operation.description;
  if (own?.includes(text)) return; // applied before
  operation.description = own ? `${own}\n\n${text}` : text;
}
