import { convertlyDialect } from '../../dialects/convertly.dialect.js';
import { CONVERTLY_ENDPOINTS } from '../../dialects/convertly.endpoints.js';
import type { ConvertlyAffiliate, ConvertlyPageMeta, ListConvertlyAffiliatesQuery } from '../../dialects/convertly.types.js';
import { Endpoint, type ResourceCallOptions, type ResourceHost } from './endpoint.js';
import type { ListPromise } from './list-promise.js';

/** A Convertly list: awaited, the first page `{ data, meta: { total, cursor } }`; iterated, every item. */
export type ConvertlyList<T> = ListPromise<T, ConvertlyPageMeta>;

export interface ConvertlyAffiliates {
  /**
   * GET /affiliates (Convertly's creators), 100 per page unless `limit` says otherwise; iterating
   * follows `meta.cursor` until it is null. No filter is documented.
   */
  list(query?: ListConvertlyAffiliatesQuery, options?: ResourceCallOptions): ConvertlyList<ConvertlyAffiliate>;
}

/** Every documented Convertly resource, as namespaces on the client. */
export interface ConvertlyResources {
  affiliates: ConvertlyAffiliates;
}

/** The namespaces of one Convertly client (or account), sending through `host`. */
export function convertlyResources(host: ResourceHost): ConvertlyResources {
  const listAffiliates = new Endpoint(host, convertlyDialect, CONVERTLY_ENDPOINTS.listAffiliates);
  return {
    affiliates: { list: (query, options) => listAffiliates.list(query, options) },
  };
}
