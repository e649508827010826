import { CONVERTLY } from './convertly.dialect.js';
import type { EndpointSpec } from './resource-spec.js';

/**
 * Convertly's documented resources (help.convertlyhq.com: api/overview, brands/creators;
 * PROVIDERS.md §2.6, §2.8–2.9). The API calls creators "affiliates".
 */
export const CONVERTLY_RESOURCES = {
  /** brands/creators: a creator's status. */
  creatorStatuses: ['active', 'pending', 'paused', 'rejected'],
} as const;

export const CONVERTLY_ENDPOINTS = {
  /** api/overview: `limit` (default 20, at most 100; our lists ask for 100) and `cursor`; no filter is documented. */
  listAffiliates: {
    name: 'affiliates.list',
    method: 'GET',
    path: '/affiliates',
    fields: { limit: { kind: 'page-size', max: CONVERTLY.pagination.maxPerPage }, cursor: { kind: 'cursor' } },
    answer: 'list',
    idempotent: true,
  },
} as const satisfies Record<string, EndpointSpec>;
