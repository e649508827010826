import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.interface.js';
import { generateApiKey, hashApiKey } from './api-key-format.js';
import type { ResolvedIncomingOptions } from '../provider-auth.options.js';
import { answerFor, type InvalidField } from '../incoming/auth-answers.js';
import { closestScope, quotableScope, type Scope } from '../incoming/scope-catalogue.js';

export interface CreateApiKeyInput {
  label: string;
  /** Scopes of the catalogue (typed by `ProviderAuthScopes`); checked again at run time. */
  scopes: readonly Scope[];
  expiresAt?: Date;
}

/** How many unknown scopes a message quotes before it only counts the rest. */
const QUOTED_SCOPES = 5;

/** What list() shows of a key: everything but the key itself. */
export type ApiKeySummary = Omit<ApiKeyRecord, 'hash'>;

/**
 * Issues and revokes the `afk_live_` keys ProviderAuthGuard accepts. The key is returned once by
 * create(); only its SHA-256 is stored.
 */
export class ApiKeyService {
  private readonly catalogue: ReadonlySet<string>;
  private readonly answers: Pick<ResolvedIncomingOptions, 'errorFormat' | 'realm'>;

  constructor(
    options: ResolvedIncomingOptions,
    private readonly store: ApiKeyStore,
  ) {
    this.catalogue = new Set(options.scopes);
    this.answers = { errorFormat: options.errorFormat, realm: options.realm };
  }

  /**
   * @returns exactly `{ id, key }`; show the key to its owner now, it cannot be recovered.
   * @throws ProviderAuthValidationException (422 `VALIDATION_ERROR`, in the configured error
   * format, listing every bad field) for a bad label, scope list or expiresAt: thrown from a
   * controller it is the answer, never a 500.
   *
   * @example keys.create({ label: 'reporting', scopes: ['analytics:read'] })
   */
  async create(input: CreateApiKeyInput): Promise<{ id: string; key: string }> {
    const invalid = this.invalidFields(input);
    if (invalid.length > 0) throw answerFor({ reason: 'validation', fields: invalid }, this.answers.errorFormat, this.answers.realm);
    const { id, key } = generateApiKey();
    await this.store.save({
      id,
      label: input.label,
      scopes: [...new Set(input.scopes)],
      hash: hashApiKey(key),
      createdAt: new Date(),
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      lastUsedAt: null,
    });
    return { id, key };
  }

  /** Every problem with create()'s input. Messages quote only what is shaped like a scope, never the label. */
  private invalidFields(input: CreateApiKeyInput | undefined): InvalidField[] {
    const fields: InvalidField[] = [];
    if (typeof input?.label !== 'string' || input.label.trim() === '') fields.push({ field: 'label', message: 'must be a non-empty string' });
    const scopes: unknown = input?.scopes;
    if (!Array.isArray(scopes) || scopes.length === 0) fields.push({ field: 'scopes', message: 'must be a non-empty list of scopes' });
    else {
      const unknown = [...new Set(scopes)].filter((s) => typeof s !== 'string' || !this.catalogue.has(s));
      if (unknown.length > 0) fields.push({ field: 'scopes', message: this.unknownScopesMessage(unknown) });
    }
    const expiresAt: unknown = input?.expiresAt;
    if (expiresAt !== undefined && !(expiresAt instanceof Date && !Number.isNaN(expiresAt.getTime()))) {
      fields.push({ field: 'expiresAt', message: 'must be a valid Date' });
    }
    return fields;
  }

  /** `unknown scope(s): 'campaign:read' (did you mean 'campaigns:read'?) and 2 more`. */
  private unknownScopesMessage(unknown: readonly unknown[]): string {
    const quoted = unknown.flatMap((s) => {
      const q = quotableScope(s);
      if (q === undefined) return [];
      const meant = closestScope(s as string, this.catalogue);
      return [meant ? `${q} (did you mean '${meant}'?)` : q];
    });
    const shown = quoted.slice(0, QUOTED_SCOPES);
    const rest = unknown.length - shown.length;
    if (shown.length === 0) return `unknown scope(s): ${rest} item(s) not shaped like a scope name`;
    return `unknown scope(s): ${shown.join(', ')}${rest > 0 ? ` and ${rest} more` : ''}`;
  }

  async list(): Promise<ApiKeySummary[]> {
    return (await this.store.list()).map(({ hash: _hash, ...summary }) => summary);
  }

  /** Revoke a key; effective on the next request. False when there is no such live key. */
  revoke(id: string): Promise<boolean> {
    return this.store.revoke(id, new Date());
  }
}
