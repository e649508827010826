import { inspect } from 'node:util';
import type { LoggerService } from '@nestjs/common';
import { secretAudit } from './secret-audit.js';

/** A Nest logger that keeps every line, so tests can read what was logged (and that no secret was). */
export class CapturingLogger implements LoggerService {
  readonly lines: { level: string; text: string }[] = [];

  log(...args: unknown[]) {
    this.keep('log', args);
  }
  error(...args: unknown[]) {
    this.keep('error', args);
  }
  warn(...args: unknown[]) {
    this.keep('warn', args);
  }
  debug(...args: unknown[]) {
    this.keep('debug', args);
  }
  verbose(...args: unknown[]) {
    this.keep('verbose', args);
  }
  fatal(...args: unknown[]) {
    this.keep('fatal', args);
  }

  text(): string {
    return this.lines.map((l) => `${l.level} ${l.text}`).join('\n');
  }

  private keep(level: string, args: unknown[]) {
    const text = args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 5 }))).join(' ');
    this.lines.push({ level, text });
    secretAudit.recordText(`log (${level})`, text);
  }
}
