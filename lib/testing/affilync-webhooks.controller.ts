import { Controller, Post } from '@nestjs/common';
import { Scopes } from '../index.js';
import { AffilyncData } from './affilync-data.js';
import { FieldProblems, type JsonObject } from './affilync-input.js';
import { WEBHOOK_EVENTS } from './affilync-vocabulary.js';
import { isoSeconds } from './fixtures.js';
import { JsonBody } from './request-params.js';

/**
 * Affilync's webhook registration (api/webhooks, `webhooks:manage`): the caller gives `url`,
 * `events` and its own `secret`; 201 with `{ id, url, events, status: 'active', created_at }` at
 * top level. The secret is kept to sign deliveries, but never echoed nor shown in emulator.state.
 */
@Controller('webhooks')
@Scopes('webhooks:manage')
export class AffilyncWebhooksController {
  constructor(private readonly store: AffilyncData) {}

  @Post()
  create(@JsonBody() body: unknown) {
    const problems = new FieldProblems();
    const o = problems.object(body);
    const url = problems.url(o, 'url', false);
    const events = readEvents(problems, o);
    const secret = problems.requiredString(o, 'secret');
    problems.throwIfAny();
    const [id] = this.store.nextId('wh');
    const webhook = { id, url: url!, events, status: 'active' as const, created_at: isoSeconds(Date.now()) };
    this.store.addWebhook({ ...webhook, secret: secret! });
    return webhook;
  }
}

/** A non-empty array of documented event names; repeats are kept once, in the order given. */
function readEvents(problems: FieldProblems, o: JsonObject): string[] {
  const value = o.events;
  if (value === undefined || value === null) {
    problems.add('events', 'field required');
    return [];
  }
  if (!Array.isArray(value) || value.length === 0) {
    problems.add('events', 'must be a non-empty array of event names');
    return [];
  }
  value.forEach((event, i) => {
    if (typeof event !== 'string' || !WEBHOOK_EVENTS.includes(event)) problems.add(`events[${i}]`, `must be one of: ${WEBHOOK_EVENTS.join(', ')}`);
  });
  return [...new Set(value.filter((e): e is string => typeof e === 'string'))];
}
