import type { CONVERTLY_RESOURCES } from './convertly.endpoints.js';

/** The shapes of Convertly's documented resources (PROVIDERS.md §2.6, §2.8–2.9). */

export type ConvertlyCreatorStatus = (typeof CONVERTLY_RESOURCES.creatorStatuses)[number];

/** §2.6: the `meta` of a list page; `cursor` is null on the last page. */
export interface ConvertlyPageMeta {
  total: number;
  cursor: string | null;
}

/** §2.6: a list page as Convertly sends it. */
export interface ConvertlyPage<T> {
  data: T[];
  meta: ConvertlyPageMeta;
}

/** §2.6: `limit` from 1 to 100 (the client's default: 100) and the previous page's `meta.cursor`. */
export interface ListConvertlyAffiliatesQuery {
  limit?: number;
  cursor?: string;
}

/**
 * A creator, as GET /affiliates lists it. The item's fields are NOT DOCUMENTED: the docs' example
 * cursor decodes to `{"id":"def456"}`, so an `id` (no prefix) is assumed, and brands/creators
 * documents the statuses; everything else is passed on.
 */
export interface ConvertlyAffiliate {
  id: string;
  status?: ConvertlyCreatorStatus;
  readonly [field: string]: unknown;
}
