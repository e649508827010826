import type { ProviderDialect } from '../../dialects/dialect.interface.js';
import type { EndpointSpec } from '../../dialects/resource-spec.js';
import { firstPageQuery, listOf, paginate } from '../paginate.js';
import type { CallOptions, ProviderResponse, RequestOptions } from '../provider-client.js';
import type { Query } from '../request-path.js';
import { checkId, checkRequest } from './check-request.js';
import { unwrapAnswer } from './envelope.js';
import { ListPromise, type ListPage } from './list-promise.js';

/** What a resource method sends its calls through: the client it belongs to (or, later, an account's). */
export interface ResourceHost {
  request<T = unknown>(opts: RequestOptions): Promise<ProviderResponse<T>>;
}

/** Per-call options of a resource method. Whether the call is retried is the method's (documented) choice. */
export type ResourceCallOptions = Pick<CallOptions, 'signal' | 'timeoutMs' | 'headers'>;

/** One documented endpoint, callable: check the request, send it, unwrap the answer. */
export class Endpoint {
  constructor(
    private readonly host: ResourceHost,
    private readonly dialect: ProviderDialect,
    private readonly spec: EndpointSpec,
  ) {}

  /** A single answer (an object, or a `data` array), unwrapped as the spec's envelope says. Rejects, sending nothing, on a bad request. */
  async call<T>(args: { id?: unknown; params?: unknown }, options?: ResourceCallOptions): Promise<T> {
    const { path, values, secrets } = this.prepare(args, options);
    const { method, idempotent } = this.spec;
    const res = await this.host.request({
      ...callOptions(options),
      method,
      path,
      ...(method === 'GET' ? { query: values as Query } : { body: values }),
      idempotent,
      redact: secrets,
    });
    return unwrapAnswer(this.dialect, this.spec.answer, res.data, { method, path, status: res.status }) as T;
  }

  /** A list: awaited, the first page as sent; iterated, every item of every page (see ListPromise). */
  list<T, M>(params: unknown, options?: ResourceCallOptions): ListPromise<T, M> {
    let query: Query;
    let path: string;
    try {
      const prepared = this.prepare({ params }, options);
      query = prepared.values as Query;
      path = prepared.path;
    } catch (error) {
      // Refused before sending: the promise rejects and the iteration throws, lazily, like a failed call.
      const refused = () => Promise.reject(error);
      return new ListPromise<T, M>(refused, () =>
        (async function* (): AsyncGenerator<T> {
          yield* [] as T[];
          throw error;
        })(),
      );
    }
    const fetchPage = (q: Query) => this.host.request({ ...callOptions(options), method: 'GET', path, query: q, idempotent: true }).then((r) => r.data);
    const loadFirst = async () => {
      const body = await fetchPage(firstPageQuery(this.dialect, query));
      listOf(this.dialect, path, body);
      return body as ListPage<T, M>;
    };
    // The walk asks for the first page with exactly firstPageQuery(query): the shared one serves it.
    const walk = (firstPage: () => Promise<ListPage<T, M>>) => paginate<T>(this.dialect, path, query, (q, index) => (index === 0 ? firstPage() : fetchPage(q)));
    return new ListPromise<T, M>(loadFirst, walk);
  }

  private prepare(args: { id?: unknown; params?: unknown }, options: ResourceCallOptions | undefined) {
    const where = `${this.dialect.displayName} ${this.spec.name}`;
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError(`${where}: options must be an object`);
    let path = this.spec.path;
    if (path.includes('{id}')) path = path.replace('{id}', encodeURIComponent(checkId(where, this.spec.idName ?? 'id', args.id)));
    const { values, secrets } = this.spec.fields ? checkRequest(where, this.spec.fields, args.params, this.spec.ranges) : { values: {}, secrets: [] };
    return { path, values, secrets };
  }
}

/** Only the options a resource method takes: a caller cannot turn retries on for a create. */
function callOptions(options: ResourceCallOptions | undefined): ResourceCallOptions {
  if (!options) return {};
  const { signal, timeoutMs, headers } = options;
  return { ...(signal ? { signal } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}), ...(headers ? { headers } : {}) };
}
