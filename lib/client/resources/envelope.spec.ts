import { affilyncDialect } from '../../dialects/affilync.dialect.js';
import { ProviderInvalidResponseError } from '../errors.js';
import { unwrapAnswer } from './envelope.js';

const call = { method: 'GET', path: '/x' };
const unwrap = (envelope: Parameters<typeof unwrapAnswer>[1], body: unknown) => unwrapAnswer(affilyncDialect, envelope, body, call);

describe('unwrapAnswer', () => {
  it('data: the documented { data } object, unwrapped; anything else refused', () => {
    expect(unwrap('data', { data: { id: 'conv_1' } })).toEqual({ id: 'conv_1' });
    expect(() => unwrap('data', { id: 'conv_1' })).toThrow(ProviderInvalidResponseError);
    expect(() => unwrap('data', { data: [1] })).toThrow(/without the documented data object/);
    expect(() => unwrapAnswer(affilyncDialect, 'data', {}, { method: 'POST', path: '/conversions/track', status: 201 })).toThrow(
      expect.objectContaining({ status: 201, message: 'Affilync answered POST /conversions/track (201) with an answer without the documented data object' }),
    );
  });

  it('bare: the object as sent (or unwrapped from a body that is nothing but { data })', () => {
    expect(unwrap('bare', { id: 'lnk_1', data: { a: 1 } })).toEqual({ id: 'lnk_1', data: { a: 1 } });
    expect(unwrap('bare', { data: { id: 'lnk_1' } })).toEqual({ id: 'lnk_1' });
    expect(() => unwrap('bare', [])).toThrow(ProviderInvalidResponseError);
    expect(() => unwrap('bare', undefined)).toThrow(ProviderInvalidResponseError);
  });

  it('data-or-bare: an envelope only when data (and meta) are its only keys', () => {
    expect(unwrap('data-or-bare', { data: { id: 'comm_1' } })).toEqual({ id: 'comm_1' });
    expect(unwrap('data-or-bare', { data: { id: 'comm_1' }, meta: {} })).toEqual({ id: 'comm_1' });
    expect(unwrap('data-or-bare', { id: 'comm_1' })).toEqual({ id: 'comm_1' });
    // An object that happens to have a `data` field is the object itself.
    expect(unwrap('data-or-bare', { id: 'comm_1', data: { note: 'x' } })).toEqual({ id: 'comm_1', data: { note: 'x' } });
    expect(() => unwrap('data-or-bare', 'text')).toThrow(ProviderInvalidResponseError);
  });

  it('data-array and list', () => {
    expect(unwrap('data-array', { data: [{ tier: 1 }] })).toEqual([{ tier: 1 }]);
    expect(() => unwrap('data-array', [{ tier: 1 }])).toThrow(/without the documented data array/);
    const page = { data: [1], meta: { page: 1, per_page: 100, total: 1 } };
    expect(unwrap('list', page)).toBe(page);
    expect(() => unwrap('list', { items: [] })).toThrow(/without a data array/);
  });
});
