import { isErrorKind, markErrorKinds } from './error-kinds.js';
/** One problem in the module's options: where it is, and what is wrong. Never holds the value. */
export interface ConfigIssue {
  path: string;
  problem: string;
}

/** ProviderAuthModule was configured wrongly; thrown at bootstrap, naming every bad option path. */
export class ProviderAuthConfigError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    return isErrorKind(this, value);
  }

  readonly issues: readonly ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    const lines = issues.map((i) => `  - ${i.path}: ${i.problem}`);
    super(`Invalid ProviderAuthModule configuration:\n${lines.join('\n')}`);
    this.name = 'ProviderAuthConfigError';
    this.issues = issues;
    markErrorKinds(this);
  }
}
