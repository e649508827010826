import type { ApiKeyRecord, ApiKeyStore } from './api-key-store.interface.js';
import { LocalRevocationFeed, type WithRevocationFeed } from './revocation-feed.js';

/** The default ApiKeyStore: one process, lost on restart. */
export class InMemoryApiKeyStore implements ApiKeyStore, WithRevocationFeed {
  /** Tells the verifier's cache about each revocation, synchronously. */
  readonly revocations = new LocalRevocationFeed();
  private readonly records = new Map<string, ApiKeyRecord>();

  async save(record: ApiKeyRecord): Promise<void> {
    this.records.set(record.id, { ...record, scopes: [...record.scopes] });
  }

  async get(id: string): Promise<ApiKeyRecord | undefined> {
    const r = this.records.get(id);
    return r && { ...r, scopes: [...r.scopes] };
  }

  async list(): Promise<ApiKeyRecord[]> {
    return [...this.records.values()].map((r) => ({ ...r, scopes: [...r.scopes] }));
  }

  async touch(id: string, at: Date): Promise<void> {
    const r = this.records.get(id);
    if (r && (!r.lastUsedAt || r.lastUsedAt < at)) r.lastUsedAt = at;
  }

  async revoke(id: string, at: Date): Promise<boolean> {
    const r = this.records.get(id);
    if (!r || r.revokedAt) return false;
    r.revokedAt = at;
    this.revocations.publish();
    return true;
  }
}
