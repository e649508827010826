/** What is kept of an API key: never the key, only its SHA-256. */
export interface ApiKeyRecord {
  /** Public id (`key_…`), also the lookup part embedded in the key. */
  id: string;
  label: string;
  scopes: string[];
  /** Hex SHA-256 of the whole key. */
  hash: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** When the key last authenticated a request, to within a minute. */
  lastUsedAt: Date | null;
}

export interface ApiKeyStore {
  save(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Mark revoked; false when there is no such key (or it was already revoked). */
  revoke(id: string, at: Date): Promise<boolean>;
  /** Record a use (called at most once a minute per key and process, not on every request). */
  touch(id: string, at: Date): Promise<void>;
}

/** Injection token for the ApiKeyStore (same name as the interface; one token for the ESM and CommonJS builds). */
export const ApiKeyStore = Symbol.for('nest-provider-auth:ApiKeyStore');
