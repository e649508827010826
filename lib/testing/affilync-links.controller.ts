import { Controller, Get, Post } from '@nestjs/common';
import { Scopes } from '../index.js';
import { AffilyncData } from './affilync-data.js';
import { FieldProblems, type JsonObject } from './affilync-input.js';
import { affilyncPage } from './affilync-pages.js';
import { ACCOUNT_AFFILIATE_ID, LINK_STATUSES, MAX_BULK_LINKS } from './affilync-vocabulary.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import type { EmulatedLink } from './emulator-state.js';
import { isoSeconds, trackingUrls } from './fixtures.js';
import { JsonBody, SearchParams } from './request-params.js';

/** What a create request asks for, checked. */
interface LinkRequest {
  campaign_id: string;
  landing_page_url: string | null;
  sub_id_1: string | null;
  sub_id_2: string | null;
  sub_id_3: string | null;
}

/**
 * Affilync's links (api/links): the list, filtered by `campaign_id` and `status`; one link created
 * (201, the link at top level); many at once (201, `{ created, links }`), all or none.
 */
@Controller('links')
export class AffilyncLinksController {
  constructor(private readonly store: AffilyncData) {}

  @Get()
  @Scopes('links:read')
  list(@SearchParams() query: URLSearchParams) {
    const problems = new FieldProblems();
    const status = problems.queryOneOf(query, 'status', LINK_STATUSES);
    const campaignId = query.get('campaign_id');
    const links = this.store.links.filter((l) => (campaignId === null || l.campaign_id === campaignId) && (status === null || l.status === status));
    return affilyncPage(links, query, problems);
  }

  @Post()
  @Scopes('links:write')
  create(@JsonBody() body: unknown): EmulatedLink {
    const problems = new FieldProblems();
    const request = readLink(problems, problems.object(body), '');
    problems.throwIfAny();
    return this.make([request as LinkRequest])[0];
  }

  @Post('bulk')
  @Scopes('links:write')
  createMany(@JsonBody() body: unknown) {
    const problems = new FieldProblems();
    const items = problems.object(body).links;
    const requests: (LinkRequest | undefined)[] = [];
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BULK_LINKS) {
      problems.add('links', `must be an array of 1 to ${MAX_BULK_LINKS} links`);
    } else {
      items.forEach((item, i) => requests.push(readLink(problems, problems.object(item, `links[${i}]`), `links[${i}].`)));
    }
    problems.throwIfAny();
    const links = this.make(requests as LinkRequest[]);
    return { created: links.length, links };
  }

  /** Stores the links once every campaign is known (404 otherwise: nothing is created). */
  private make(requests: LinkRequest[]): EmulatedLink[] {
    if (requests.some((r) => !this.store.campaign(r.campaign_id))) throw new EmulatorHttpError(404, 'Campaign not found');
    const created_at = isoSeconds(Date.now());
    const links = requests.map((r): EmulatedLink => {
      const [id, n] = this.store.nextId('lnk');
      return { id, campaign_id: r.campaign_id, affiliate_id: ACCOUNT_AFFILIATE_ID, status: 'active', ...trackingUrls(n), ...pick(r), created_at };
    });
    this.store.addLinks(links);
    return links;
  }
}

function readLink(problems: FieldProblems, o: JsonObject, prefix: string): LinkRequest | undefined {
  const campaign_id = problems.requiredString(o, 'campaign_id', prefix);
  const landing_page_url = problems.url(o, 'landing_page_url', true, prefix);
  const sub_id_1 = problems.optionalString(o, 'sub_id_1', prefix);
  const sub_id_2 = problems.optionalString(o, 'sub_id_2', prefix);
  const sub_id_3 = problems.optionalString(o, 'sub_id_3', prefix);
  return campaign_id === undefined ? undefined : { campaign_id, landing_page_url, sub_id_1, sub_id_2, sub_id_3 };
}

function pick({ landing_page_url, sub_id_1, sub_id_2, sub_id_3 }: LinkRequest) {
  return { landing_page_url, sub_id_1, sub_id_2, sub_id_3 };
}
