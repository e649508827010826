import type { ApiKeyService, TokenService } from '../../lib/index.js';
import { secretAudit } from './secret-audit.js';

/**
 * Credentials issued by the package's own services for a test, each registered with the secret
 * audit, so that no log, error or frame of the test may quote it.
 */
export async function auditedKey(keys: ApiKeyService, input: Parameters<ApiKeyService['create']>[0]) {
  const created = await keys.create(input);
  secretAudit.registerSecret(created.key);
  return created;
}

export async function auditedPair(tokens: TokenService, input: Parameters<TokenService['issue']>[0]) {
  const pair = await tokens.issue(input);
  secretAudit.registerSecret(pair.access_token);
  secretAudit.registerSecret(pair.refresh_token);
  return pair;
}
