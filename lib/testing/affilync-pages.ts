import { AFFILYNC } from '../index.js';
import { FieldProblems } from './affilync-input.js';
import { intParam } from './http-io.js';

export interface AffilyncPage<T> {
  data: T[];
  meta: { page: number; per_page: number; total: number };
}

/**
 * Affilync's page pagination (api/links, api/calls, api/commissions): `page` (from 1, default 1)
 * and `per_page` (1 … 100, default 20). Out of range is a 422 with `fields[]`, listed together with
 * the route's own filter problems; a page past the end is empty, with the real `total`.
 */
export function affilyncPage<T>(items: readonly T[], query: URLSearchParams, problems = new FieldProblems()): AffilyncPage<T> {
  const p = AFFILYNC.pagination;
  const page = intParam(query, p.pageParam) ?? 1;
  const perPage = intParam(query, p.perPageParam) ?? p.defaultPerPage;
  if (!(page >= 1)) problems.add(p.pageParam, 'ensure this value is an integer greater than or equal to 1');
  if (!(perPage >= 1 && perPage <= p.maxPerPage)) problems.add(p.perPageParam, `ensure this value is an integer from 1 to ${p.maxPerPage}`);
  problems.throwIfAny();
  const start = (page - 1) * perPage;
  return { data: items.slice(start, start + perPage), meta: { page, per_page: perPage, total: items.length } };
}
