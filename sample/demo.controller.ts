import { randomUUID } from 'node:crypto';
import { Controller, HttpCode, Post } from '@nestjs/common';
import { AffilyncClient, Public, type ClickId } from '../lib/index.js';

/** The emulator's first seeded click: a tracking link's visitor who is about to buy. */
const DEMO_CLICK: ClickId = 'clk_001';

/**
 * Only on the embedded emulator (never with SAMPLE_PROVIDERS=real): records a conversion, which the
 * emulator answers and then delivers to /webhooks/affilync as a signed conversion.created.
 */
@Controller('demo')
export class DemoController {
  constructor(private readonly affilync: AffilyncClient) {}

  @Public()
  @Post('conversion')
  @HttpCode(201)
  conversion() {
    return this.affilync.conversions.track({ click_id: DEMO_CLICK, order_id: `DEMO-${randomUUID()}`, amount: '149.99', event_type: 'sale' });
  }
}
