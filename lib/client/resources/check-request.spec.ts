import { AFFILYNC_ENDPOINTS } from '../../dialects/affilync.endpoints.js';
import { checkId, checkRequest } from './check-request.js';

const track = AFFILYNC_ENDPOINTS.trackConversion.fields;
const calls = AFFILYNC_ENDPOINTS.listCalls;

describe('checkRequest', () => {
  it('keeps the given fields in the documented order, leaving out undefined ones', () => {
    const { values } = checkRequest('A t', track, { amount: '1.00', metadata: undefined, order_id: 'o', click_id: 'clk_1' });
    expect(Object.keys(values)).toEqual(['click_id', 'order_id', 'amount']);
  });

  it('collects secret fields so that errors never quote them', () => {
    const { secrets } = checkRequest('A w', AFFILYNC_ENDPOINTS.createWebhookEndpoint.fields, {
      url: 'https://a.example/',
      events: ['click.created'],
      secret: 'whsec_1',
    });
    expect(secrets).toEqual(['whsec_1']);
  });

  it('accepts real calendar dates only, leap days included', () => {
    expect(() => checkRequest('A c', calls.fields, { start_date: '2028-02-29' })).not.toThrow();
    expect(() => checkRequest('A c', calls.fields, { start_date: '2026-02-29' })).toThrow(TypeError);
    expect(() => checkRequest('A c', calls.fields, { start_date: '2026-13-01' })).toThrow(TypeError);
  });

  it('checks ranges only when both ends are given; equal ends are fine', () => {
    expect(() => checkRequest('A c', calls.fields, { start_date: '2026-03-02', end_date: '2026-03-02' }, calls.ranges)).not.toThrow();
    expect(() => checkRequest('A c', calls.fields, { start_date: '2026-03-02' }, calls.ranges)).not.toThrow();
    expect(() => checkRequest('A c', calls.fields, { start_date: '2026-03-03', end_date: '2026-03-02' }, calls.ranges)).toThrow(RangeError);
  });

  it('refuses null for an optional field, and objects with a prototype of their own', () => {
    expect(() => checkRequest('A t', track, { click_id: 'clk_1', order_id: 'o', amount: '1', currency: null })).toThrow(/currency/);
    expect(() => checkRequest('A t', track, new (class {})())).toThrow(/params must be an object/);
    expect(() => checkRequest('A t', track, { click_id: 'clk_1', order_id: 'o', amount: '1', metadata: { n: 1n } })).toThrow(/metadata/);
  });
});

describe('checkId', () => {
  it.each(['camp_1', 'x-y_Z.9'])('accepts %s', (id) => expect(checkId('A', 'id', id)).toBe(id));
  it.each(['', '.', '..', 'a/b', 'a\\b', 'a b', 'a?b', 'a#b', 'a%2fb', 1, null])('refuses %p', (id) => {
    expect(() => checkId('A', 'id', id)).toThrow(TypeError);
  });
});
