import { Controller, Get } from '@nestjs/common';
import { CONVERTLY, Scopes } from '../index.js';
import { ConvertlyData } from './convertly-data.js';
import { CONVERTLY_API_PLANS, PlanGated } from './emulator.guard.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import { intParam, parseJsonObject } from './http-io.js';
import { SearchParams } from './request-params.js';

/**
 * Convertly's creators ("affiliates" in its API, api/overview): the cursor-paginated list, the one
 * creator route the docs give. Scopes come from the library's role model: Brand Admin and Brand
 * Member both read creators.
 */
@Controller('affiliates')
@PlanGated(CONVERTLY_API_PLANS)
export class ConvertlyAffiliatesController {
  constructor(private readonly store: ConvertlyData) {}

  /** `limit` 1 … 100 (default 20) and `cursor`: base64url JSON `{"id": <last id of the previous page>}`, as in the docs' example. */
  @Get()
  @Scopes('affiliates:read')
  list(@SearchParams() query: URLSearchParams) {
    const p = CONVERTLY.pagination;
    const affiliates = this.store.affiliates;
    const limit = intParam(query, p.limitParam) ?? p.defaultLimit;
    if (Number.isNaN(limit)) throw new EmulatorHttpError(400, `${p.limitParam} must be an integer number`);
    if (limit < 1) throw new EmulatorHttpError(400, `${p.limitParam} must not be less than 1`);
    if (limit > p.maxPerPage) throw new EmulatorHttpError(400, `${p.limitParam} must not be greater than ${p.maxPerPage}`);
    const cursor = query.get(p.cursorParam);
    let start = 0;
    if (cursor !== null && cursor !== '') {
      const after = decodeCursor(cursor);
      const i = after === undefined ? -1 : affiliates.findIndex((a) => a.id === after);
      if (i < 0) throw new EmulatorHttpError(400, `${p.cursorParam} is invalid`);
      start = i + 1;
    }
    const data = affiliates.slice(start, start + limit);
    const more = start + limit < affiliates.length;
    return { data, meta: { total: affiliates.length, cursor: more ? encodeCursor(data[data.length - 1].id) : null } };
  }
}

function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ id: lastId })).toString('base64url');
}

function decodeCursor(cursor: string): string | undefined {
  const parsed = parseJsonObject(Buffer.from(cursor, 'base64url').toString('utf8'));
  return typeof parsed?.id === 'string' ? parsed.id : undefined;
}
