import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.interface.js';
import { generateApiKey, hashApiKey } from './api-key-format.js';
import type { ResolvedIncomingOptions } from '../provider-auth.options.js';

export interface CreateApiKeyInput {
  label: string;
  scopes: string[];
  expiresAt?: Date;
}

/** What list() shows of a key: everything but the key itself. */
export type ApiKeySummary = Omit<ApiKeyRecord, 'hash'>;

/**
 * Issues and revokes the `afk_live_` keys ProviderAuthGuard accepts. The key is returned once by
 * create(); only its SHA-256 is stored.
 */
export class ApiKeyService {
  private readonly catalogue: ReadonlySet<string>;

  constructor(
    options: ResolvedIncomingOptions,
    private readonly store: ApiKeyStore,
  ) {
    this.catalogue = new Set(options.scopes);
  }

  /** @returns exactly `{ id, key }`; show the key to its owner now, it cannot be recovered. */
  async create(input: CreateApiKeyInput): Promise<{ id: string; key: string }> {
    if (typeof input?.label !== 'string' || input.label.trim() === '') throw new TypeError('ApiKeyService.create(): label must be a non-empty string');
    if (!Array.isArray(input.scopes) || input.scopes.length === 0) throw new TypeError('ApiKeyService.create(): scopes must be a non-empty list');
    const unknown = input.scopes.filter((s) => !this.catalogue.has(s));
    if (unknown.length > 0) throw new TypeError(`ApiKeyService.create(): unknown scope(s): ${unknown.join(', ')}`);
    if (input.expiresAt !== undefined && !(input.expiresAt instanceof Date && !Number.isNaN(input.expiresAt.getTime()))) {
      throw new TypeError('ApiKeyService.create(): expiresAt must be a valid Date');
    }
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

  async list(): Promise<ApiKeySummary[]> {
    return (await this.store.list()).map(({ hash: _hash, ...summary }) => summary);
  }

  /** Revoke a key; effective on the next request. False when there is no such live key. */
  revoke(id: string): Promise<boolean> {
    return this.store.revoke(id, new Date());
  }
}
