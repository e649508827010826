import type { ProviderDialect } from '../dialects/dialect.interface.js';

/**
 * What of a provider's own words may be shown in an error or a log line.
 *
 * A provider (or a proxy in front of it) can quote back what we sent it: the password, the API
 * key, a token, raw or re-cased or encoded. So its text is shown only after every secret the
 * client holds has been cut out in each of those forms, with anything shaped like a token or a
 * key; and not at all while a held secret is too short to be cut out reliably.
 */

/** The secrets a client holds: password, API key and its body, access and refresh tokens. */
export type HeldSecrets = readonly (string | undefined)[];

/** With a held secret shorter than this, no provider text is quoted: it could hide in any word. */
export const MIN_SCRUBBABLE_SECRET_LENGTH = 8;

/** At most this many characters of a provider's text are quoted (redactions aside). */
export const MAX_QUOTED_LENGTH = 300;

const REDACTED = '[redacted]';

// Credentials we do not hold may be echoed too (another user's, a previous one): never quote
// anything shaped like a JWT (header, then one or two segments) or an afk_ key, glued to a word
// or not, in any case.
const CREDENTIAL_SHAPES = [/eyJ[\w-]*(?:\.[\w-]*){1,2}/g, /afk_[\w-]*/gi];

// Line breaks, other controls and direction overrides: a quoted text must not forge log lines.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * A provider's text made safe to show, or undefined when none of it may be shown.
 *
 * @example
 * safeProviderText('bad password hunter2hunter2', ['hunter2hunter2']) // 'bad password [redacted]'
 */
export function safeProviderText(text: string, secrets: HeldSecrets): string | undefined {
  const held = heldSecrets(secrets);
  if (held.some((s) => s.length < MIN_SCRUBBABLE_SECRET_LENGTH)) return undefined;
  const forms = held.flatMap(secretForms);
  // Scrub before cutting: look far enough past the cut to see whole any secret that starts before it.
  const longest = forms.reduce((max, f) => Math.max(max, f.length), 0);
  const window = text.slice(0, MAX_QUOTED_LENGTH + longest);
  const hidden = merge([...occurrences(window, forms), ...shapeOccurrences(window)]);

  let out = '';
  let pos = 0;
  for (const [start, end] of hidden) {
    if (start >= MAX_QUOTED_LENGTH) break;
    out += window.slice(pos, start) + REDACTED;
    pos = end;
  }
  if (pos < MAX_QUOTED_LENGTH) out += window.slice(pos, MAX_QUOTED_LENGTH);
  if (text.length > Math.max(pos, MAX_QUOTED_LENGTH)) out += '…';
  const shown = out.replace(UNPRINTABLE, ' ').trim();
  return shown.length > 0 ? shown : undefined;
}

/** Whether `text` holds a held secret in any form, or anything shaped like a token or key. */
export function revealsSecret(text: string, secrets: HeldSecrets): boolean {
  const forms = heldSecrets(secrets).flatMap(secretForms);
  return occurrences(text, forms).length > 0 || shapeOccurrences(text).length > 0;
}

/**
 * The provider's error code if it may be shown: shaped like one of the provider's codes (only a
 * documented one for login/refresh answers, or while a held secret is too short to scrub), and
 * revealing no secret.
 */
export function safeErrorCode(dialect: ProviderDialect, code: string | undefined, secrets: HeldSecrets, documentedOnly: boolean): string | undefined {
  if (typeof code !== 'string') return undefined;
  const strict = documentedOnly || heldSecrets(secrets).some((s) => s.length < MIN_SCRUBBABLE_SECRET_LENGTH);
  const shaped = strict ? dialect.isDocumentedErrorCode(code) : dialect.isErrorCode(code);
  return shaped && !revealsSecret(code, secrets) ? code : undefined;
}

/** At most this many of a validation error's `fields[]` entries are kept. */
export const MAX_FIELD_ERRORS = 50;

// A field name as APIs write them: `campaign_id`, `links.0.campaign_id`, `links[0].sub_id_1`.
const FIELD_NAME_SHAPE = /^[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+|\[\d+\])*$/;
const MAX_FIELD_NAME_LENGTH = 100;

/**
 * A validation error's `fields[]` made safe to show: an entry is kept only with a field name shaped
 * like an identifier path that reveals no secret; its message is quoted under the same rules as the
 * error's own. While a held secret is too short to scrub, no message is quoted and a name is kept
 * only when each of its parts is a name the request itself carried (`sentNames`: its query
 * parameters and body keys) or an index, as a code is kept then only when documented. Undefined
 * when nothing is kept.
 *
 * @example
 * safeFieldErrors([{ field: 'amount', message: 'must be a string' }], []) // [{ field: 'amount', message: 'must be a string' }]
 */
export function safeFieldErrors(
  fields: readonly { field?: unknown; message?: unknown }[] | undefined,
  secrets: HeldSecrets,
  sentNames: ReadonlySet<string> = new Set(),
): { field: string; message?: string }[] | undefined {
  if (!fields) return undefined;
  const strict = heldSecrets(secrets).some((s) => s.length < MIN_SCRUBBABLE_SECRET_LENGTH);
  const kept: { field: string; message?: string }[] = [];
  for (const entry of fields) {
    if (kept.length >= MAX_FIELD_ERRORS) break;
    const name = entry.field;
    if (typeof name !== 'string' || name.length > MAX_FIELD_NAME_LENGTH || !FIELD_NAME_SHAPE.test(name) || revealsSecret(name, secrets)) continue;
    if (strict && !name.split(/[.[\]]+/).every((part) => part === '' || /^\d+$/.test(part) || sentNames.has(part))) continue;
    const message = typeof entry.message === 'string' ? safeProviderText(entry.message, secrets) : undefined;
    kept.push(message === undefined ? { field: name } : { field: name, message });
  }
  return kept.length > 0 ? kept : undefined;
}

/**
 * The ways a server may write `secret` back: as is (matched case-insensitively, plus its upper-
 * and lower-cased forms for letters whose case change alters the length), JSON-escaped,
 * percent-encoded (URI component, URI, form style with '+', every byte), hex, and base64 and
 * base64url at each of the three byte alignments, keeping only the characters fully determined
 * by the secret's bytes, so that a secret inside a longer encoded blob is found too.
 */
export function secretForms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms = new Set<string>([
    secret,
    secret.toUpperCase(),
    secret.toLowerCase(),
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    encodeURI(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    [...bytes].map((b) => `%${b.toString(16).padStart(2, '0')}`).join(''),
    bytes.toString('hex'),
  ]);
  for (const pad of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(pad), bytes]);
    const first = Math.ceil((8 * pad) / 6);
    const end = Math.floor((8 * (pad + bytes.length)) / 6);
    for (const encoding of ['base64', 'base64url'] as const) forms.add(padded.toString(encoding).slice(first, end));
  }
  forms.delete('');
  return [...forms];
}

function heldSecrets(secrets: HeldSecrets): string[] {
  return [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))];
}

/** Every place any of `forms` occurs in `text`, case-insensitively, overlapping ones included. */
function occurrences(text: string, forms: readonly string[]): [number, number][] {
  const found: [number, number][] = [];
  for (const form of forms) {
    const re = new RegExp(escapeRegExp(form), 'giu');
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      found.push([m.index, m.index + m[0].length]);
      re.lastIndex = m.index + 1;
    }
  }
  return found;
}

function shapeOccurrences(text: string): [number, number][] {
  const found: [number, number][] = [];
  for (const shape of CREDENTIAL_SHAPES) {
    for (const m of text.matchAll(shape)) found.push([m.index, m.index + m[0].length]);
  }
  return found;
}

/** Sorted, non-overlapping spans covering every given span (touching spans join). */
function merge(spans: [number, number][]): [number, number][] {
  spans.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (const [start, end] of spans) {
    const last = out.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else out.push([start, end]);
  }
  return out;
}

function escapeRegExp(text: string): string {
  // Only syntax characters: under the 'u' flag any other escaped character is an error.
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
