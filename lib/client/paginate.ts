import type { ProviderDialect } from '../dialects/dialect.interface.js';
import { ProviderInvalidResponseError } from './errors.js';
import type { Query } from './request-path.js';

/** Fetches one page (the `index`th of this walk, from 0): the client's `get` with authentication, renewals and retries. */
export type PageFetcher = (query: Query, index: number) => Promise<unknown>;

// A bound on pages so a provider that never says "done" cannot keep us looping forever.
const MAX_PAGES = 100_000;

/**
 * Every item of a paginated list, in order, each once: Affilync pages (`page`/`per_page` until
 * `meta.total` is reached), Convertly cursors (`limit`/`cursor` until `meta.cursor` is null).
 * Each page is its own authenticated call, so a renewal between pages does not restart the walk.
 */
export async function* paginate<T>(dialect: ProviderDialect, path: string, query: Query, fetchPage: PageFetcher): AsyncGenerator<T> {
  const style = dialect.pagination;
  const sizeParam = style.kind === 'page' ? style.perPageParam : style.limitParam;
  const size = pageSize(dialect, query[sizeParam], sizeParam, style.maxPerPage);

  if (style.kind === 'page') {
    let page = positiveInt(query[style.pageParam]) ?? 1;
    const filters = without(query, style.pageParam, sizeParam);
    for (let n = 0; n < MAX_PAGES; n++, page++) {
      const { data, meta } = listOf(dialect, path, await fetchPage({ ...filters, [style.pageParam]: page, [sizeParam]: size }, n));
      yield* data as T[];
      const total = typeof meta?.total === 'number' ? meta.total : undefined;
      if (data.length === 0 || data.length < size || (total !== undefined && page * size >= total)) return;
    }
  } else {
    let cursor = query[style.cursorParam];
    const filters = without(query, style.cursorParam, sizeParam);
    const seen = new Set<string>();
    for (let n = 0; n < MAX_PAGES; n++) {
      const { data, meta } = listOf(dialect, path, await fetchPage({ ...filters, [sizeParam]: size, [style.cursorParam]: cursor }, n));
      yield* data as T[];
      const next = meta?.cursor;
      if (next === null || next === undefined || next === '') return;
      if (typeof next !== 'string' || seen.has(next)) {
        throw invalid(dialect, path, 'a list answer whose meta.cursor repeats or is not a string');
      }
      seen.add(next);
      cursor = next;
    }
  }
  throw invalid(dialect, path, `a list that did not end after ${MAX_PAGES} pages`);
}

/**
 * The query of the first page paginate() asks for: the caller's, with the page (Affilync; 1 unless
 * given) and the page size (the maximum unless given). Awaiting a list sends exactly this.
 */
export function firstPageQuery(dialect: ProviderDialect, query: Query): Query {
  const style = dialect.pagination;
  if (style.kind === 'page') {
    const size = pageSize(dialect, query[style.perPageParam], style.perPageParam, style.maxPerPage);
    return { ...without(query, style.pageParam, style.perPageParam), [style.pageParam]: positiveInt(query[style.pageParam]) ?? 1, [style.perPageParam]: size };
  }
  const size = pageSize(dialect, query[style.limitParam], style.limitParam, style.maxPerPage);
  return { ...without(query, style.cursorParam, style.limitParam), [style.limitParam]: size, [style.cursorParam]: query[style.cursorParam] };
}

/** The caller's filters, without the paging parameters (sent last, in a fixed order). */
function without(query: Query, ...names: string[]): Query {
  return Object.fromEntries(Object.entries(query).filter(([name]) => !names.includes(name)));
}

/** A list page's `data` array and `meta`, or ProviderInvalidResponseError for anything else. */
export function listOf(dialect: ProviderDialect, path: string, body: unknown): { data: unknown[]; meta?: Record<string, unknown> } {
  const o = body as { data?: unknown; meta?: unknown } | null;
  if (typeof o !== 'object' || o === null || !Array.isArray(o.data)) {
    throw invalid(dialect, path, 'a list answer without a data array');
  }
  const meta = typeof o.meta === 'object' && o.meta !== null ? (o.meta as Record<string, unknown>) : undefined;
  return { data: o.data, meta };
}

function pageSize(dialect: ProviderDialect, given: unknown, param: string, max: number): number {
  if (given === undefined || given === null) return max;
  const n = positiveInt(given);
  if (n === undefined || n > max) {
    throw new RangeError(`${dialect.displayName} ${param} must be an integer from 1 to ${max}`);
  }
  return n;
}

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 ? n : undefined;
}

function invalid(dialect: ProviderDialect, path: string, what: string): ProviderInvalidResponseError {
  return new ProviderInvalidResponseError({
    provider: dialect.name,
    message: `${dialect.displayName} answered GET ${path.split('?')[0]} with ${what}`,
    retryable: false,
  });
}
