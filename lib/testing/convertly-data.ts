import type { ConvertlyEmulatorState, EmulatedCreator, EmulatedDiscount } from './emulator-state.js';
import { convertlySeed, deepFreeze, type ConvertlySeed } from './fixtures.js';

/** What the emulated Convertly holds: the seeded creators, and discounts (the seeded one plus those created). */
export class ConvertlyData {
  private data!: ConvertlySeed;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.data = convertlySeed();
  }

  snapshot(): ConvertlyEmulatorState {
    return Object.freeze({ affiliates: Object.freeze([...this.data.affiliates]), discounts: Object.freeze([...this.data.discounts]) });
  }

  get affiliates(): readonly EmulatedCreator[] {
    return this.data.affiliates;
  }

  get discounts(): readonly EmulatedDiscount[] {
    return this.data.discounts;
  }

  addDiscount(discount: Omit<EmulatedDiscount, 'id'>): EmulatedDiscount {
    const stored = deepFreeze({ id: `dsc_${String(this.data.discounts.length + 1).padStart(2, '0')}`, ...discount });
    this.data.discounts.push(stored);
    return stored;
  }
}
