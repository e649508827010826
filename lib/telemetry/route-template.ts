/**
 * A path segment kept as it is in a route template: lowercase words joined by hyphens, such as
 * `campaigns` or `call-tracking` (at most 40 characters), or a version such as `v2`. Anything
 * else — digits, UUIDs, prefixed ids (`camp_0001`, `afk_live_…`), tokens, mixed case,
 * percent-encodings, an `@` — is an id.
 */
const ROUTE_WORD = /^(?:(?=[a-z-]{1,40}$)[a-z]+(?:-[a-z]+)*|v\d{1,2})$/;

/**
 * The low-cardinality template of a call path, for span names and `url.template`: the query is
 * dropped and every segment that is not a plain word becomes `{id}`, so no id, e-mail or token in
 * a path is ever recorded. `/campaigns/1234/commission-tiers?page=2` → `/campaigns/{id}/commission-tiers`.
 */
export function routeTemplate(path: string): string {
  const q = path.indexOf('?');
  const pathOnly = q < 0 ? path : path.slice(0, q);
  return pathOnly
    .split('/')
    .map((segment) => (segment === '' || ROUTE_WORD.test(segment) ? segment : '{id}'))
    .join('/');
}
