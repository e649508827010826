import { Controller, Get, Param, Post } from '@nestjs/common';
import { Scopes } from '../index.js';
import { AffilyncData } from './affilync-data.js';
import { FieldProblems, inDateRange, type JsonObject } from './affilync-input.js';
import { affilyncPage } from './affilync-pages.js';
import { CALL_OUTCOMES, DEFAULT_AREA_CODE, NUMBER_TYPES, RECORDINGS_ORIGIN } from './affilync-vocabulary.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import type { EmulatedCallNumber } from './emulator-state.js';
import { isoSeconds, phoneNumber } from './fixtures.js';
import { JsonBody, SearchParams } from './request-params.js';

/** A US area code: three digits, the first 2–9. */
const AREA_CODE = /^[2-9]\d{2}$/;

/**
 * Affilync's call tracking (api/call-tracking): numbers (list; buy one: 201, at top level like the
 * other creates) and calls (list with filters; a call's recording). `calls:read` to read,
 * `calls:write` ("manage call flows and numbers") to buy a number.
 */
@Controller('call-tracking')
export class AffilyncCallTrackingController {
  constructor(private readonly store: AffilyncData) {}

  @Get('numbers')
  @Scopes('calls:read')
  numbers(@SearchParams() query: URLSearchParams) {
    return affilyncPage(this.store.callNumbers, query);
  }

  @Post('numbers')
  @Scopes('calls:write')
  createNumber(@JsonBody() body: unknown): EmulatedCallNumber {
    const problems = new FieldProblems();
    const o = problems.object(body);
    const type = problems.oneOf(o, 'type', NUMBER_TYPES);
    const areaCode = readAreaCode(problems, o);
    const displayName = problems.optionalString(o, 'display_name');
    problems.throwIfAny();
    const [id, n] = this.store.nextId('num');
    const area_code = areaCode ?? DEFAULT_AREA_CODE[type!];
    const number: EmulatedCallNumber = {
      id,
      type: type!,
      phone_number: phoneNumber(area_code, n),
      area_code,
      display_name: displayName,
      campaign_id: null,
      status: 'active',
      created_at: isoSeconds(Date.now()),
    };
    this.store.addCallNumber(number);
    return number;
  }

  /** Filters: `start_date`/`end_date` (YYYY-MM-DD, inclusive, UTC), `number_id`, `campaign_id`, `outcome`. */
  @Get('calls')
  @Scopes('calls:read')
  calls(@SearchParams() query: URLSearchParams) {
    const problems = new FieldProblems();
    const from = problems.queryDate(query, 'start_date');
    const to = problems.queryDate(query, 'end_date');
    problems.dateOrder(from, to, 'end_date', 'start_date');
    const outcome = problems.queryOneOf(query, 'outcome', CALL_OUTCOMES);
    const numberId = query.get('number_id');
    const campaignId = query.get('campaign_id');
    const calls = this.store.calls.filter(
      (c) =>
        inDateRange(c.created_at, from, to) &&
        (numberId === null || c.number_id === numberId) &&
        (campaignId === null || c.campaign_id === campaignId) &&
        (outcome === null || c.outcome === outcome),
    );
    return affilyncPage(calls, query, problems);
  }

  /** `{ data: { call_id, recording_url, transcript_url } }`; an abandoned call has no recording (404). */
  @Get('calls/:id/recording')
  @Scopes('calls:read')
  recording(@Param('id') id: string) {
    const call = this.store.calls.find((c) => c.id === id);
    if (!call) throw new EmulatorHttpError(404, 'Call not found');
    if (call.outcome === 'abandoned') throw new EmulatorHttpError(404, 'Recording not found');
    return {
      data: {
        call_id: call.id,
        recording_url: `${RECORDINGS_ORIGIN}/${call.id}.mp3`,
        // A voicemail is kept as audio only.
        transcript_url: call.outcome === 'voicemail' ? null : `${RECORDINGS_ORIGIN}/${call.id}.txt`,
        duration: call.duration,
      },
    };
  }
}

function readAreaCode(problems: FieldProblems, o: JsonObject): string | undefined {
  const value = o.area_code;
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string' && AREA_CODE.test(value)) return value;
  problems.add('area_code', 'must be a three-digit area code such as "512"');
  return undefined;
}
