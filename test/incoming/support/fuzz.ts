/**
 * Seeded hostile Authorization values: the same seed gives the same list, so a failure reproduces.
 */

/** mulberry32: a tiny, fast, seedable PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64TOKEN = `${B64URL}.~+/`;
const BASE62 = B64URL.slice(0, 62);

/** What an HTTP client may put in a header value: HTAB, visible ASCII, space, obs-text. */
export const HEADER_SAFE = /^[\t\x20-\x7e\x80-\xff]*$/;

export function hostileHeaders(seed: number, count: number, real: { token: string; key: string }): { kind: string; value: string }[] {
  const rnd = prng(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  const from = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');
  const safeChar = () => {
    const r = int(10);
    if (r === 0) return '\t';
    if (r <= 2) return String.fromCharCode(0x80 + int(0x80)); // obs-text (latin-1)
    return String.fromCharCode(0x20 + int(0x5f));
  };
  const safe = (n: number) => Array.from({ length: n }, safeChar).join('');
  const mutate = (s: string, alphabet: string) => {
    const i = int(s.length);
    const op = int(3);
    if (op === 0) return `${s.slice(0, i)}${s.slice(i + 1)}`; // delete
    if (op === 1) return `${s.slice(0, i)}${pick([...alphabet])}${s.slice(i)}`; // insert
    // A different character, with one draw whatever the input (the sequence depends on the seed only).
    const c = alphabet[(Math.max(0, alphabet.indexOf(s[i])) + 1 + int(alphabet.length - 1)) % alphabet.length];
    return `${s.slice(0, i)}${c === s[i] ? '~' : c}${s.slice(i + 1)}`; // replace
  };
  const jsonish = () =>
    JSON.stringify({
      [from(BASE62, 3)]: pick([from(BASE62, 8), int(1e10), null, true, [], {}]),
      typ: pick(['access', 'refresh', 'Access']),
      role: pick(['admin', 'member', 'owner']),
    });
  const b64 = (s: string) => Buffer.from(s, 'latin1').toString('base64url');
  const utf8AsLatin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

  const makers: [string, () => string][] = [
    ['random header-safe', () => safe(1 + int(300))],
    ['random after Bearer', () => `Bearer ${safe(1 + int(120))}`],
    ['8 KB b64token', () => `Bearer ${from(B64TOKEN, 8192 - 7)}`],
    ['8 KB random', () => safe(8192)],
    ['unicode escapes', () => `Bearer ${Array.from({ length: 1 + int(20) }, () => `\\u${int(0x10000).toString(16).padStart(4, '0')}`).join('')}`],
    ['raw UTF-8 bytes', () => `Bearer ${utf8AsLatin1(Array.from({ length: 1 + int(12) }, () => String.fromCodePoint(0xa0 + int(0x2ff60))).join(''))}`],
    ['many spaces', () => `Bearer${' '.repeat(1 + int(40))}${from(B64TOKEN, int(60))}${' '.repeat(int(5))}${from(B64TOKEN, int(20))}`],
    [
      'repeated schemes',
      () =>
        `${Array.from({ length: 2 + int(6) }, () => pick(['Bearer', 'bearer', 'Basic', 'Bearer,', 'Digest'])).join(pick([' ', '  ', '\t', ', ']))} ${from(B64TOKEN, int(50))}`,
    ],
    ['base64url junk', () => `Bearer ${from(B64URL, 1 + int(400))}${'='.repeat(int(3))}`],
    ['JWT-shaped junk', () => `Bearer ${b64(jsonish())}.${b64(jsonish())}.${from(B64URL, int(90))}`],
    ['JWT-shaped, real header', () => `Bearer ${real.token.split('.')[0]}.${b64(jsonish())}.${from(B64URL, 43)}`],
    ['afk_live_ junk', () => `Bearer afk_live_${from(pick([BASE62, B64TOKEN]), pick([46, 46, int(80)]))}`],
    ['mutated real token', () => `Bearer ${mutate(real.token, B64URL)}`],
    [
      'real token, real signature, other payload',
      () => {
        const [h, , s] = real.token.split('.');
        return `Bearer ${h}.${b64(jsonish())}.${s}`;
      },
    ],
    ['mutated real key', () => `Bearer ${mutate(real.key, BASE62)}`],
    [
      'real credential, hostile framing',
      () =>
        `${pick(['Bearer\t', 'Bearer  ', 'Bearer: ', 'Bearer=', '"Bearer" ', 'Bearer,'])}${pick([real.token, real.key])}${pick(['', ' x', ',', ';', '\t.'])}`,
    ],
  ];

  const out: { kind: string; value: string }[] = [];
  for (let i = 0; i < count; i++) {
    const [kind, make] = makers[i % makers.length];
    const value = [...make()].map((c) => (HEADER_SAFE.test(c) ? c : '?')).join('');
    out.push({ kind, value });
  }
  return out;
}
