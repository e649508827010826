import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { Scopes } from '../index.js';
import { affilyncPage } from './affilync-pages.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import { AFFILYNC_LINKS } from './fixtures.js';
import { SearchParams } from './request-params.js';

type JsonBody = Record<string, unknown> | undefined;

const NO_OBJECT = [{ field: 'body', message: 'a JSON object is required' }];

/** Affilync's links: the fixed 250 listed (filtered by campaign_id and status), plus writes that are echoed. */
@Controller('links')
export class AffilyncLinksController {
  /** Ids handed out by POST /links; the listed links stay the fixed 250. */
  private readonly created = new Set<string>();
  private nextLink = AFFILYNC_LINKS.length + 1;

  @Get()
  @Scopes('links:read')
  list(@SearchParams() query: URLSearchParams) {
    const campaignId = query.get('campaign_id');
    const status = query.get('status');
    const links = AFFILYNC_LINKS.filter((l) => (campaignId === null || l.campaign_id === campaignId) && (status === null || l.status === status));
    return affilyncPage(links, query);
  }

  @Post()
  @Scopes('links:write')
  create(@Body() body: JsonBody) {
    if (!body) throw new EmulatorHttpError(422, 'Validation failed', NO_OBJECT);
    const id = `lnk_${String(this.nextLink++).padStart(3, '0')}`;
    this.created.add(id);
    return { ...body, id };
  }

  @Put(':id')
  @Scopes('links:write')
  replace(@Param('id') id: string, @Body() body: JsonBody) {
    this.find(id);
    if (!body) throw new EmulatorHttpError(422, 'Validation failed', NO_OBJECT);
    return { ...body, id };
  }

  @Patch(':id')
  @Scopes('links:write')
  update(@Param('id') id: string, @Body() body: JsonBody) {
    const existing = this.find(id);
    if (!body) throw new EmulatorHttpError(422, 'Validation failed', NO_OBJECT);
    return { ...existing, ...body, id };
  }

  @Delete(':id')
  @Scopes('links:write')
  @HttpCode(204)
  remove(@Param('id') id: string): void {
    this.find(id);
    this.created.delete(id);
  }

  private find(id: string): object {
    const link = AFFILYNC_LINKS.find((l) => l.id === id) ?? (this.created.has(id) ? { id } : undefined);
    if (!link) throw new EmulatorHttpError(404, 'Link not found');
    return link;
  }
}
