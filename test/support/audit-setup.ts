/**
 * Jest setup (every test file): feeds the secret audit with everything that could leak — what
 * reaches stdout/stderr (Nest's console logger writes there), every error a client call rejects
 * with, and every request target the clients send — and fails the file if a secret shows up.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { HttpTransport, type TransportRequest } from '../../lib/client/http-transport.js';
import { ProviderClient, type ProviderResponse, type RequestOptions } from '../../lib/client/provider-client.js';
import { EMULATOR_DEFAULT_USER } from '../../lib/testing/index.js';
import { secretAudit } from './secret-audit.js';

// The emulator's tokens and keys are caught by their shapes; its default password by value.
beforeAll(() => secretAudit.registerSecret(EMULATOR_DEFAULT_USER.password));

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    secretAudit.recordText(stream === process.stdout ? 'stdout' : 'stderr', String(chunk));
    return write(chunk, ...rest);
  }) as typeof stream.write;
}

const request = ProviderClient.prototype.request;
ProviderClient.prototype.request = async function auditedRequest<T>(this: ProviderClient, opts: RequestOptions) {
  try {
    return (await request.call(this, opts)) as ProviderResponse<T>;
  } catch (error) {
    secretAudit.recordError(`error from ${opts.method} ${String(opts.path).split('?')[0]}`, error);
    throw error;
  }
} as typeof request;

const send = HttpTransport.prototype.send;
HttpTransport.prototype.send = function auditedSend(this: HttpTransport, req: TransportRequest) {
  secretAudit.recordText('request URL', req.path);
  return send.call(this, req);
};

afterAll(() => {
  const findings = secretAudit.findings();
  secretAudit.reset();
  if (findings.length > 0) throw new Error(`Secret audit failed:\n${findings.join('\n')}`);
});
