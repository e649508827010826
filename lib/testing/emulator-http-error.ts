import type { FieldProblem } from './provider-profile.js';

/**
 * A refusal of the emulator's own (bad login, validation, unknown id), as opposed to the library's
 * ProviderAuthException. It carries only status and text: the error filter shapes the body the
 * way the provider does.
 */
export class EmulatorHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fields?: FieldProblem[],
  ) {
    super(message);
    this.name = 'EmulatorHttpError';
  }
}
