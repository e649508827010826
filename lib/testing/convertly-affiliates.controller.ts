import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { CONVERTLY, Scopes } from '../index.js';
import { CONVERTLY_API_PLANS, PlanGated } from './emulator.guard.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import { CONVERTLY_AFFILIATES } from './fixtures.js';
import { intParam, parseJsonObject } from './http-io.js';
import { SearchParams } from './request-params.js';

/**
 * Convertly's creators ("affiliates" in its API). Scopes come from the library's role model:
 * Brand Admin and Brand Member both read and write creators.
 */
@Controller('affiliates')
@PlanGated(CONVERTLY_API_PLANS)
export class ConvertlyAffiliatesController {
  private nextAffiliate = CONVERTLY_AFFILIATES.length + 1;

  /** Cursor pagination; the cursor is base64url JSON `{"id": <last id of the previous page>}`. */
  @Get()
  @Scopes('affiliates:read')
  list(@SearchParams() query: URLSearchParams) {
    const p = CONVERTLY.pagination;
    const limit = intParam(query, p.limitParam) ?? p.defaultLimit;
    if (Number.isNaN(limit)) throw new EmulatorHttpError(400, `${p.limitParam} must be an integer number`);
    if (limit < 1) throw new EmulatorHttpError(400, `${p.limitParam} must not be less than 1`);
    if (limit > p.maxPerPage) throw new EmulatorHttpError(400, `${p.limitParam} must not be greater than ${p.maxPerPage}`);
    const cursor = query.get(p.cursorParam);
    let start = 0;
    if (cursor !== null && cursor !== '') {
      const after = decodeCursor(cursor);
      const i = after === undefined ? -1 : CONVERTLY_AFFILIATES.findIndex((a) => a.id === after);
      if (i < 0) throw new EmulatorHttpError(400, `${p.cursorParam} is invalid`);
      start = i + 1;
    }
    const data = CONVERTLY_AFFILIATES.slice(start, start + limit);
    const more = start + limit < CONVERTLY_AFFILIATES.length;
    return { data, meta: { total: CONVERTLY_AFFILIATES.length, cursor: more ? encodeCursor(data[data.length - 1].id) : null } };
  }

  @Get(':id')
  @Scopes('affiliates:read')
  one(@Param('id') id: string) {
    const affiliate = CONVERTLY_AFFILIATES.find((a) => a.id === id);
    if (!affiliate) throw new EmulatorHttpError(404, 'Affiliate not found');
    return { data: affiliate };
  }

  @Post()
  @Scopes('affiliates:write')
  create(@Body() body: Record<string, unknown> | undefined) {
    if (!body) throw new EmulatorHttpError(400, 'Validation failed');
    const id = `aff_${String(this.nextAffiliate++).padStart(2, '0')}`;
    return { data: { ...body, id } };
  }
}

function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ id: lastId })).toString('base64url');
}

function decodeCursor(cursor: string): string | undefined {
  const parsed = parseJsonObject(Buffer.from(cursor, 'base64url').toString('utf8'));
  return typeof parsed?.id === 'string' ? parsed.id : undefined;
}
