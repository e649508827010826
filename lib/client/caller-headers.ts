// The client owns these headers; a caller's copy would leak or confuse the credential.
const RESERVED_HEADERS = new Set(['authorization', 'host', 'content-length', 'connection', 'transfer-encoding']);

// RFC 9110 §5.1: a field name is a token.
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// RFC 9110 §5.5: visible characters, space, tab and obs-text (the bytes undici will send as latin1);
// never CR, LF, NUL or another control, which would end or split the header.
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/**
 * A caller's per-call headers, names lower-cased, checked before anything is sent: a header
 * that cannot be sent is the caller's mistake (a TypeError now), not a network error later. The
 * message may name the header, never its value (it may hold something secret).
 */
export function callerHeaders(given: Record<string, string> | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  if (given === undefined) return headers;
  for (const [name, value] of Object.entries(given)) {
    if (!FIELD_NAME.test(name)) {
      throw new TypeError("A per-call header name is not a valid HTTP header name (letters, digits and !#$%&'*+-.^_`|~ only)");
    }
    if (RESERVED_HEADERS.has(name.toLowerCase())) {
      throw new TypeError(`Header '${name}' is set by the client and cannot be given per call`);
    }
    if (typeof value !== 'string') {
      throw new TypeError(`Header '${name}' must have a string value`);
    }
    if (!FIELD_VALUE.test(value)) {
      throw new TypeError(`Header '${name}' has a value that cannot be sent (line breaks, NUL, other controls or characters above U+00FF)`);
    }
    headers[name.toLowerCase()] = value;
  }
  return headers;
}
