/** What a Fastify instance offers to declare a request property (only what this file uses). */
interface FastifyLike {
  decorateRequest(name: string, value: undefined): unknown;
  hasRequestDecorator(name: string): boolean;
}

/** What an Express app offers (only what this file uses): the prototype it gives each request. */
interface ExpressLike {
  request: object;
  handle: unknown;
}

/** A Node HTTP server, as far as declaring the property on its requests goes. */
interface NodeServerLike {
  prependListener(event: 'request', listener: (req: RequestWithUser) => void): unknown;
  removeListener(event: 'request', listener: (req: RequestWithUser) => void): unknown;
}

interface RequestWithUser {
  user?: unknown;
}

/**
 * Declares `request.user` on the app's requests (left `undefined`), so that the guard's
 * `request.user = …` fills a slot instead of adding a property to each request. Returns what takes
 * the declaration back (on Express; nothing to take back on Fastify), or undefined when nothing was
 * declared.
 *
 * - Fastify (`instance` a Fastify server): `decorateRequest('user', undefined)`, as
 *   @fastify/passport does, so Fastify creates every request with the property. Adding it to each
 *   request instead changed the object's shape every time, which also slows every later property
 *   access on it. Not when another plugin declared it first, or the server has already started.
 * - Express (`instance` an Express app, `httpServer` the Node server Nest made for it): the property
 *   is added as the server receives each request, before Express sets the request's prototype. After
 *   that V8 gives every Express request object a map of its own, so adding a property then builds a
 *   new map (~1.5 µs a request under load on the project's machine, against ~0.5 µs to fill an
 *   existing one). Not when the app's request prototype already has a `user` (a property or
 *   accessor someone else defined), nor for a server Nest did not make (serverless handlers, a
 *   server the app creates itself): those requests get the property from the guard, as before.
 */
export function declareRequestUser(instance: unknown, httpServer?: unknown): (() => void) | undefined {
  const fastify = instance as Partial<FastifyLike> | undefined;
  if (typeof fastify?.decorateRequest === 'function' && typeof fastify.hasRequestDecorator === 'function') {
    try {
      if (!fastify.hasRequestDecorator('user')) fastify.decorateRequest('user', undefined);
    } catch {
      // Started already (FST_ERR_DEC_AFTER_START), or declared in a way we cannot see: leave it.
    }
    return undefined;
  }
  const express = instance as Partial<ExpressLike> | undefined;
  const server = httpServer as Partial<NodeServerLike> | undefined;
  if (typeof instance !== 'function' || typeof express?.handle !== 'function' || typeof express.request !== 'object' || express.request === null)
    return undefined;
  if ('user' in express.request) return undefined;
  if (typeof server?.prependListener !== 'function' || typeof server.removeListener !== 'function') return undefined;
  const nodeServer = server as NodeServerLike;
  nodeServer.prependListener('request', declareUser);
  return () => nodeServer.removeListener('request', declareUser);
}

/** Runs first for each request the server receives, while the request still has Node's own shape. */
function declareUser(req: RequestWithUser): void {
  if (!('user' in req)) req.user = undefined;
}
