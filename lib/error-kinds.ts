/**
 * `instanceof` for our error classes across copies of the package. An app may load both the ESM
 * and the CommonJS build (one dependency imports, another requires): each copy has its own
 * classes, so a plain `instanceof` check made with one copy's class misses the other copy's
 * errors. Each error carries the names of the classes it was built from under a process-wide
 * symbol, and the classes answer `instanceof` from those names.
 */
const KINDS = Symbol.for('nest-provider-auth:error-kinds');

/** Record on `error` the names of its class and every ancestor class, up to (not including) Error. */
export function markErrorKinds(error: Error): void {
  const kinds: string[] = [];
  for (let proto = Object.getPrototypeOf(error); proto && proto !== Error.prototype && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    kinds.push((proto as { constructor: { name: string } }).constructor.name);
  }
  Object.defineProperty(error, KINDS, { value: Object.freeze(kinds), enumerable: false });
}

/** `value instanceof cls`, by the names recorded by markErrorKinds, else by the prototype chain. */
export function isErrorKind(cls: abstract new (...args: never[]) => unknown, value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const kinds = (value as { [KINDS]?: readonly string[] })[KINDS];
  return Array.isArray(kinds) ? kinds.includes(cls.name) : Function.prototype[Symbol.hasInstance].call(cls, value);
}
