import { Dispatcher } from 'undici';

const NOT_A_DISPATCHER = 'must be an undici 7 Dispatcher (an Agent, ProxyAgent or MockAgent from undici 7)';

/**
 * Why `http.dispatcher` cannot carry the clients' calls, or undefined when it can. The clients hand
 * undici 7's handler API (onRequestStart, onResponseStart, …) to `dispatch()`; undici 6 and older
 * (Node's bundled copy on Node 20 and 22, among them) call only the older onConnect/onHeaders API,
 * so every call would hang or fail. A dispatcher of the package's own undici is accepted at once;
 * one of another copy is asked, without sending anything, whether it speaks undici 7's API.
 */
export function dispatcherProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || typeof (value as { dispatch?: unknown }).dispatch !== 'function') {
    return NOT_A_DISPATCHER;
  }
  if (value instanceof Dispatcher) return undefined;
  return speaksUndici7Handlers(value as Dispatcher)
    ? undefined
    : `${NOT_A_DISPATCHER}; this one does not drive undici 7's request handlers (an older undici, such as Node's built-in one?). Create it with the undici this package depends on: npm ls undici`;
}

/**
 * undici 7's dispatchers refuse a request without options through the handler they were given,
 * translated to its new API (onResponseError); older ones call onError, or throw. Nothing is sent.
 */
function speaksUndici7Handlers(dispatcher: Dispatcher): boolean {
  let spoke = false;
  const probe = {
    onRequestStart() {},
    onResponseStart() {},
    onResponseData() {},
    onResponseEnd() {},
    onResponseError() {
      spoke = true;
    },
  };
  try {
    (dispatcher.dispatch as (opts: unknown, handler: unknown) => unknown)(null, probe);
  } catch {
    return false;
  }
  return spoke;
}
