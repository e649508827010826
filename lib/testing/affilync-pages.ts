import { AFFILYNC } from '../index.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import { intParam } from './http-io.js';
import type { FieldProblem } from './provider-profile.js';

export interface AffilyncPage<T> {
  data: T[];
  meta: { page: number; per_page: number; total: number };
}

/** Affilync's page pagination: `page` (from 1) and `per_page` (1 … 100, default 20); 422 otherwise. */
export function affilyncPage<T>(items: readonly T[], query: URLSearchParams): AffilyncPage<T> {
  const p = AFFILYNC.pagination;
  const page = intParam(query, p.pageParam) ?? 1;
  const perPage = intParam(query, p.perPageParam) ?? p.defaultPerPage;
  const fields: FieldProblem[] = [];
  if (!(page >= 1)) fields.push({ field: p.pageParam, message: 'ensure this value is an integer greater than or equal to 1' });
  if (!(perPage >= 1 && perPage <= p.maxPerPage)) {
    fields.push({ field: p.perPageParam, message: `ensure this value is an integer from 1 to ${p.maxPerPage}` });
  }
  if (fields.length > 0) throw new EmulatorHttpError(422, 'Validation failed', fields);
  const start = (page - 1) * perPage;
  return { data: items.slice(start, start + perPage), meta: { page, per_page: perPage, total: items.length } };
}
