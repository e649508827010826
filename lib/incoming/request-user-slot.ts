/** What a Fastify instance offers to declare a request property (only what this file uses). */
interface FastifyLike {
  decorateRequest(name: string, value: undefined): unknown;
  hasRequestDecorator(name: string): boolean;
}

/**
 * Declares `request.user` on a Fastify server's requests (left `undefined`), as @fastify/passport
 * does: Fastify then creates every request with the property, and the guard's `request.user = …`
 * fills a slot instead of changing the object's shape on each request (which also slows every
 * later property access on it). Nothing happens on Express, when another plugin declared it first,
 * or when the server has already started (then the guard simply adds the property, as before).
 */
export function declareRequestUser(server: unknown): void {
  const fastify = server as Partial<FastifyLike> | undefined;
  if (typeof fastify?.decorateRequest !== 'function' || typeof fastify.hasRequestDecorator !== 'function') return;
  try {
    if (!fastify.hasRequestDecorator('user')) fastify.decorateRequest('user', undefined);
  } catch {
    // Started already (FST_ERR_DEC_AFTER_START), or declared in a way we cannot see: leave it.
  }
}
