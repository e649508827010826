import { checkedCustomClaims, customClaimsOf, MAX_CUSTOM_CLAIMS_BYTES, RESERVED_CLAIM_NAMES } from './custom-claims.js';

const WHERE = 'TokenService.issue()';

describe('checkedCustomClaims', () => {
  it('none: undefined and {} both give undefined (the principal then has no claims)', () => {
    expect(checkedCustomClaims(undefined, WHERE)).toBeUndefined();
    expect(checkedCustomClaims({}, WHERE)).toBeUndefined();
  });

  it('returns a deep-frozen copy, each value read once (a getter cannot answer differently when signed)', () => {
    let reads = 0;
    const input = {
      get tier() {
        reads++;
        return reads === 1 ? 'gold' : 'lead';
      },
      nested: { list: [1, { x: null }] },
    };
    const out = checkedCustomClaims(input, WHERE)!;
    expect(out).toEqual({ tier: 'gold', nested: { list: [1, { x: null }] } });
    expect(reads).toBe(1);
    expect(out).not.toBe(input);
    expect(out.nested).not.toBe(input.nested);
    expect(Object.isFrozen(out) && Object.isFrozen(out.nested) && Object.isFrozen((out.nested as { list: unknown[] }).list)).toBe(true);
    expect(Object.isFrozen(input.nested)).toBe(false); // the caller's object is left alone
  });

  it('-0 becomes 0 (what a JSON round trip would give anyway)', () => {
    expect(Object.is(checkedCustomClaims({ n: -0 }, WHERE)!.n, 0)).toBe(true);
  });

  it('names the way to a bad value, quoting odd or long keys, never the value', () => {
    const key = 'k'.repeat(100);
    expect(() => checkedCustomClaims({ 'a b': { [key]: undefined } }, WHERE)).toThrow(`${WHERE}: claims["a b"]["${'k'.repeat(40)}…"] is undefined`);
  });

  it('the byte limit is 4096 and the reserved names include every claim TokenService signs', () => {
    expect(MAX_CUSTOM_CLAIMS_BYTES).toBe(4096);
    for (const ours of ['sub', 'role', 'typ', 'jti', 'iat', 'exp', 'auth_time', 'plan', 'brandId', 'fam']) expect(RESERVED_CLAIM_NAMES).toContain(ours);
  });
});

describe('customClaimsOf', () => {
  it('every top-level claim whose name is not reserved, deep-frozen; undefined when there is none', () => {
    const payload = JSON.parse(
      '{"sub":"u","role":"member","typ":"access","jti":"j","iat":1,"exp":2,"nbf":1,"aud":"x","tenant":"acme","prefs":{"a":[1]}}',
    ) as Record<string, unknown>;
    const out = customClaimsOf(payload)!;
    expect(out).toEqual({ tenant: 'acme', prefs: { a: [1] } });
    expect(Object.isFrozen(out) && Object.isFrozen(out.prefs) && Object.isFrozen((out.prefs as { a: unknown[] }).a)).toBe(true);
    expect(customClaimsOf({ sub: 'u', typ: 'refresh', jti: 'j', fam: 'f', iat: 1, exp: 2, auth_time: 1 })).toBeUndefined();
  });

  it('a "__proto__" claim in a payload stays a plain claim, never a prototype', () => {
    const out = customClaimsOf(JSON.parse('{"sub":"u","__proto__":{"polluted":true}}') as Record<string, unknown>)!;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect((out as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(out)).toEqual(['__proto__']);
  });
});
