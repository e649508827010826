// Shapes of credentials that must never be echoed, even when a provider's message contains one.
const JWT_LIKE = /eyJ[\w-]*\.[\w-]+\.[\w-]*/g;
const API_KEY_LIKE = /\bafk_[A-Za-z0-9_]+/g;
const MAX_PROVIDER_MESSAGE = 300;

/** Remove the given secrets and anything shaped like a token or key from text meant for humans. */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  out = out.replace(JWT_LIKE, '[redacted]').replace(API_KEY_LIKE, '[redacted]');
  return out.length > MAX_PROVIDER_MESSAGE ? `${out.slice(0, MAX_PROVIDER_MESSAGE)}…` : out;
}
