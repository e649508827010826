import { inspect } from 'node:util';

/** Everything a thrown value shows a user or a log: String(), message, stack, JSON, util.inspect, each property. */
export function shownText(error: unknown): string {
  const parts = [String(error), inspect(error, { depth: 6, showHidden: true })];
  if (error instanceof Error) {
    parts.push(error.message, String(error.stack));
    parts.push(JSON.stringify(error));
    for (const value of Object.values(error)) parts.push(typeof value === 'string' ? value : inspect(value, { depth: 6 }));
  }
  return parts.join('\n');
}

/** The first of `needles` found in `text`, compared case-insensitively; undefined when none is there. */
export function firstFound(text: string, needles: readonly string[]): string | undefined {
  const haystack = text.toLowerCase();
  return needles.find((n) => n.length > 0 && haystack.includes(n.toLowerCase()));
}
