import { Body, Controller, Get, Post } from '@nestjs/common';
import { Roles, Scopes } from '../index.js';
import { CONVERTLY_API_PLANS, PlanGated } from './emulator.guard.js';
import { EmulatorHttpError } from './emulator-http-error.js';

interface Discount {
  id: string;
  code: string;
  type: string;
  value: number;
}

/**
 * Convertly's discounts, where its roles show: a Brand Member reads all data but writes only
 * campaigns and creators, so creating a discount takes a Brand Admin (403 for a member). The
 * docs name discounts but give no path; `/v1/discounts` is the emulator's choice.
 */
@Controller('discounts')
@PlanGated(CONVERTLY_API_PLANS)
export class ConvertlyDiscountsController {
  private readonly discounts: Discount[] = [{ id: 'dsc_01', code: 'WELCOME10', type: 'percentage', value: 10 }];

  @Get()
  @Scopes('affiliates:read')
  list() {
    return { data: this.discounts, meta: { total: this.discounts.length, cursor: null } };
  }

  @Post()
  @Roles('admin')
  create(@Body() body: Record<string, unknown> | undefined) {
    if (typeof body?.code !== 'string' || body.code === '') throw new EmulatorHttpError(400, 'Validation failed');
    const discount: Discount = {
      id: `dsc_${String(this.discounts.length + 1).padStart(2, '0')}`,
      code: body.code,
      type: typeof body.type === 'string' ? body.type : 'percentage',
      value: typeof body.value === 'number' ? body.value : 0,
    };
    this.discounts.push(discount);
    return { data: discount };
  }
}
