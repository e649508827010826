import { affilyncDialect } from '../dialects/affilync.dialect.js';
import { convertlyDialect } from '../dialects/convertly.dialect.js';
import { MAX_FIELD_ERRORS, MAX_QUOTED_LENGTH, revealsSecret, safeErrorCode, safeFieldErrors, safeProviderText, secretForms } from './provider-text.js';

const SECRET = 'hunter2-Hunter2!';

describe('safeProviderText', () => {
  it('removes held secrets and anything shaped like a JWT or an afk_ key, in any case, glued or not', () => {
    const text = `bad pw ${SECRET.toUpperCase()} and eyJhbGciOiJI.eyJzdWIiOiIx.c2ln and xAFK_LIVE_abc123 here`;
    expect(safeProviderText(text, [SECRET])).toBe('bad pw [redacted] and [redacted] and x[redacted] here');
  });

  it('finds a JWT with one segment after its header, and an afk_ key however prefixed', () => {
    expect(safeProviderText('token eyJhbGciOi.eyJzdWIi was bad', [])).toBe('token [redacted] was bad');
    expect(safeProviderText('key=afk_test_zz9', [])).toBe('key=[redacted]');
  });

  it.each([0, 1, 2, 3, 4, 5])('finds a secret inside a longer base64 and base64url blob at byte offset %i', (offset) => {
    const raw = Buffer.concat([Buffer.from('x'.repeat(offset)), Buffer.from(SECRET), Buffer.from('!tail')]);
    for (const encoding of ['base64', 'base64url'] as const) {
      const blob = raw.toString(encoding);
      const secretPart = blob.slice(Math.ceil((8 * offset) / 6), Math.floor((8 * (offset + SECRET.length)) / 6));
      const shown = safeProviderText(`blob ${blob} end`, [SECRET])!;
      expect(shown.toLowerCase()).not.toContain(secretPart.toLowerCase());
      expect(shown).toMatch(/^blob .*\[redacted\].* end$/);
    }
  });

  it('scrubs before cutting: a secret straddling the cut never shows its first half', () => {
    const text = `${'a'.repeat(MAX_QUOTED_LENGTH - 5)}${SECRET}${'b'.repeat(50)}`;
    const shown = safeProviderText(text, [SECRET])!;
    expect(shown).toBe(`${'a'.repeat(MAX_QUOTED_LENGTH - 5)}[redacted]…`);
    expect(shown).not.toContain(SECRET.slice(0, 5));
  });

  it('bounds the length and turns line breaks and controls into spaces', () => {
    expect(safeProviderText('x'.repeat(1000), [])!.length).toBe(MAX_QUOTED_LENGTH + 1);
    expect(safeProviderText('one\r\ntwo\u0000three\u2028four', [])).toBe('one  two three four');
  });

  it('quotes nothing while a held secret is shorter than 8 characters', () => {
    expect(safeProviderText('Campaign not found', ['short12'])).toBeUndefined();
    expect(safeProviderText('Campaign not found', ['long enough', undefined])).toBe('Campaign not found');
  });

  it('knows the percent, form, hex and JSON forms of a secret', () => {
    const secret = 'p a&s"s/ü';
    const forms = secretForms(secret);
    expect(forms).toEqual(expect.arrayContaining([encodeURIComponent(secret), 'p+a%26s%22s%2F%C3%BC', Buffer.from(secret).toString('hex'), 'p a&s\\"s/ü']));
    for (const form of forms) expect(revealsSecret(`x${form.toUpperCase()}x`, [secret])).toBe(true);
  });
});

describe('safeErrorCode', () => {
  it('keeps a code of the provider’s shape, drops anything else and any code holding a secret', () => {
    expect(safeErrorCode(affilyncDialect, 'UPSTREAM_BUSY', [SECRET], false)).toBe('UPSTREAM_BUSY');
    expect(safeErrorCode(affilyncDialect, 'not a code', [SECRET], false)).toBeUndefined();
    expect(safeErrorCode(affilyncDialect, 'AFK_LIVE_ABC123', [], false)).toBeUndefined();
    expect(safeErrorCode(affilyncDialect, 'HORSE_42X', ['horse_42x-more'], false)).toBe('HORSE_42X');
    expect(safeErrorCode(affilyncDialect, 'HORSE_42X_MORE', ['horse_42x_more'], false)).toBeUndefined();
    expect(safeErrorCode(convertlyDialect, 'Not Found', [SECRET], false)).toBe('Not Found');
    expect(safeErrorCode(convertlyDialect, 'NOT_FOUND', [SECRET], false)).toBeUndefined();
  });

  it('keeps only documented codes for login/refresh answers, or while a held secret is short', () => {
    expect(safeErrorCode(affilyncDialect, 'TOKEN_INVALID', [SECRET], true)).toBe('TOKEN_INVALID');
    expect(safeErrorCode(affilyncDialect, 'BAD_CREDENTIALS', [SECRET], true)).toBeUndefined();
    expect(safeErrorCode(affilyncDialect, 'BAD_CREDENTIALS', ['short'], false)).toBeUndefined();
    expect(safeErrorCode(affilyncDialect, 'QUOTA_EXCEEDED', ['short'], false)).toBe('QUOTA_EXCEEDED');
    expect(safeErrorCode(affilyncDialect, 'TOKEN_EXPIRED', ['expired'], true)).toBeUndefined();
  });
});

describe('safeFieldErrors', () => {
  it('keeps identifier-shaped names and scrubbed messages; drops the rest', () => {
    const fields = [
      { field: 'amount', message: `not ${SECRET}` },
      { field: 'links.0.campaign_id', message: 'required' },
      { field: 'links[2].sub_id_1' },
      { field: 'a b', message: 'space' },
      { field: `x_${SECRET.replace(/\W/g, '')}`, message: 'fine' },
      { field: 'afk_live_abc123', message: 'key-shaped' },
      { field: 'x'.repeat(101) },
      { message: 'no name' },
    ];
    expect(safeFieldErrors(fields, [SECRET])).toEqual([
      { field: 'amount', message: 'not [redacted]' },
      { field: 'links.0.campaign_id', message: 'required' },
      { field: 'links[2].sub_id_1' },
      { field: `x_${SECRET.replace(/\W/g, '')}`, message: 'fine' },
    ]);
    expect(safeFieldErrors([{ field: `x${SECRET}` }], [SECRET])).toBeUndefined();
  });

  it('while a held secret is short: names the request carried, no messages', () => {
    const fields = [
      { field: 'links.1.campaign_id', message: 'required' },
      { field: 'other', message: 'x' },
    ];
    expect(safeFieldErrors(fields, ['short'], new Set(['links', 'campaign_id']))).toEqual([{ field: 'links.1.campaign_id' }]);
    expect(safeFieldErrors(fields, ['short'])).toBeUndefined();
  });

  it(`keeps at most ${MAX_FIELD_ERRORS} entries`, () => {
    const many = Array.from({ length: MAX_FIELD_ERRORS + 5 }, (_, i) => ({ field: `f${i}` }));
    expect(safeFieldErrors(many, [])).toHaveLength(MAX_FIELD_ERRORS);
  });
});
