import { routeTemplate } from './route-template.js';

describe('routeTemplate', () => {
  it.each([
    ['/campaigns', '/campaigns'],
    ['/campaigns?page=2&per_page=5', '/campaigns'],
    ['/campaigns/1234/commission-tiers', '/campaigns/{id}/commission-tiers'],
    ['/campaigns/camp_0001/commission-tiers', '/campaigns/{id}/commission-tiers'],
    ['/call-tracking/calls/0d7c9a6e-8f6b-4c43-9d5e-2a1b3c4d5e6f/recording', '/call-tracking/calls/{id}/recording'],
    ['/commissions/comm_7Hq2ZkP9xW', '/commissions/{id}'],
    ['/links/bulk', '/links/bulk'],
    ['/affiliate/earnings/summary', '/affiliate/earnings/summary'],
    ['/v2/things/ABCDEF', '/v2/things/{id}'],
    ['/users/jane%40example.com', '/users/{id}'],
    ['/users/jane@example.com/keys', '/users/{id}/keys'],
    ['/tokens/eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig', '/tokens/{id}'],
    ['/keys/afk_live_abcdefghijklmnop', '/keys/{id}'],
    ['/links/summer_sale', '/links/{id}'],
    ['/', '/'],
  ])('%s → %s', (path, template) => {
    expect(routeTemplate(path)).toBe(template);
  });

  it('keeps no segment longer than 40 characters, even a plain word', () => {
    expect(routeTemplate(`/things/${'a'.repeat(41)}`)).toBe('/things/{id}');
  });
});
