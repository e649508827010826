import { inspect } from 'node:util';

// Shapes no output of ours may contain, whoever issued them: JWTs and Affilync keys.
const SECRET_SHAPES: [string, RegExp][] = [
  ['a JWT', /eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{4,}/],
  ['an afk_ API key', /afk_(live|test)_[A-Za-z0-9]{6,}/],
];

/**
 * Collects what the code under test printed, logged, threw and put in URLs, and the secrets the
 * test servers handed out; reports any secret found in any of it (without printing the secret).
 */
export class SecretAudit {
  private readonly secrets = new Set<string>();
  private readonly records: { where: string; text: string }[] = [];

  registerSecret(...values: (string | undefined)[]): void {
    for (const v of values) if (v && v.length >= 6) this.secrets.add(v);
  }

  recordText(where: string, text: string): void {
    this.records.push({ where, text });
  }

  /** Everything an error shows: message, stack, JSON, util.inspect, and each property. */
  recordError(where: string, error: unknown): void {
    const parts = [String(error), inspect(error, { depth: 6, showHidden: true })];
    if (error instanceof Error) {
      parts.push(error.message, String(error.stack));
      try {
        parts.push(JSON.stringify(error));
      } catch {
        parts.push('[unserialisable]');
      }
      for (const value of Object.values(error)) parts.push(typeof value === 'string' ? value : inspect(value, { depth: 6 }));
    }
    this.recordText(where, parts.join('\n'));
  }

  /** One line per leak: where it was, and what kind of secret (never the secret itself). */
  findings(): string[] {
    const out: string[] = [];
    for (const { where, text } of this.records) {
      for (const secret of this.secrets) {
        if (text.includes(secret)) out.push(`${where}: a secret handed out in this test (${secret.length} chars) appeared`);
      }
      for (const [kind, shape] of SECRET_SHAPES) {
        if (shape.test(text)) out.push(`${where}: something shaped like ${kind} appeared`);
      }
    }
    return [...new Set(out)];
  }

  get recorded(): number {
    return this.records.length;
  }

  reset(): void {
    this.secrets.clear();
    this.records.length = 0;
  }
}

/** The audit every test file reports into (wired up in audit-setup.ts). */
export const secretAudit = new SecretAudit();
