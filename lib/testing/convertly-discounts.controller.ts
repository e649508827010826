import { Controller, Get, Post } from '@nestjs/common';
import { Roles, Scopes } from '../index.js';
import { isObject } from './affilync-input.js';
import { ConvertlyData } from './convertly-data.js';
import { CONVERTLY_API_PLANS, PlanGated } from './emulator.guard.js';
import { EmulatorHttpError } from './emulator-http-error.js';
import type { EmulatedDiscount } from './emulator-state.js';
import { isDecimalAmount, normalizeAmount } from './money.js';
import { JsonBody } from './request-params.js';

const TYPES: readonly EmulatedDiscount['type'][] = ['percentage', 'fixed_amount', 'free_shipping'];

/**
 * The emulator's own route, not Convertly's documented API: the docs name discounts (brands/discounts)
 * but give no path, so `/v1/discounts` is our choice. It shows Convertly's roles: a Brand Member
 * reads all data but writes only campaigns and creators, so creating a discount takes a Brand Admin
 * (403 for a member).
 */
@Controller('discounts')
@PlanGated(CONVERTLY_API_PLANS)
export class ConvertlyDiscountsController {
  constructor(private readonly store: ConvertlyData) {}

  /** Every discount on one page: `{ data, meta: { total, cursor: null } }`. */
  @Get()
  @Scopes('affiliates:read')
  list() {
    const discounts = this.store.discounts;
    return { data: discounts, meta: { total: discounts.length, cursor: null } };
  }

  /** `{ code, type?, value? }` (type defaults to percentage, value to "0.00"); 201 `{ data: discount }`. */
  @Post()
  @Roles('admin')
  create(@JsonBody() body: unknown) {
    const o = isObject(body) ? body : {};
    const type = o.type ?? 'percentage';
    const value = o.value ?? '0';
    const valid = typeof o.code === 'string' && o.code.trim() !== '' && TYPES.includes(type as EmulatedDiscount['type']) && isDecimalAmount(value);
    if (!valid) throw new EmulatorHttpError(400, 'Validation failed');
    return { data: this.store.addDiscount({ code: o.code as string, type: type as EmulatedDiscount['type'], value: normalizeAmount(value as string) }) };
  }
}
