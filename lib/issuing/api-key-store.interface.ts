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
}

export interface ApiKeyStore {
  save(record: ApiKeyRecord): Promise<void>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  list(): Promise<ApiKeyRecord[]>;
  /** Mark revoked; false when there is no such key (or it was already revoked). */
  revoke(id: string, at: Date): Promise<boolean>;
}

/** Injection token for the ApiKeyStore (same name as the interface). */
export const ApiKeyStore = Symbol('ApiKeyStore');
