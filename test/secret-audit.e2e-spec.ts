import { Logger } from '@nestjs/common';
import { ProviderApiError } from '../lib/index.js';
import { CapturingLogger } from './support/capturing-logger.js';
import { SecretAudit, secretAudit } from './support/secret-audit.js';

/** The audit that guards the whole suite must itself be able to fail. */
describe('secret audit', () => {
  it('finds a handed-out secret in an error property, without repeating the secret', () => {
    const audit = new SecretAudit();
    audit.registerSecret('s3cret-password-value');
    class Leaky extends ProviderApiError {
      readonly request = { headers: { authorization: 'Bearer s3cret-password-value' } };
    }
    audit.recordError('leaky', new Leaky({ provider: 'affilync', message: 'failed', retryable: false }));
    const findings = audit.findings();
    expect(findings).toEqual(['leaky: a secret handed out in this test (21 chars) appeared']);
    expect(findings.join()).not.toContain('s3cret');
  });

  it('finds JWT-shaped and afk_-shaped values whoever issued them', () => {
    const audit = new SecretAudit();
    audit.recordText('log', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.sig');
    audit.recordText('url', '/api/conversions/postback?api_key=afk_live_abcdef123456');
    audit.recordText('clean', 'Affilync answered 401 to GET /campaigns (TOKEN_INVALID)');
    expect(audit.findings()).toEqual(['log: something shaped like a JWT appeared', 'url: something shaped like an afk_ API key appeared']);
  });

  it('is fed by the Nest logger and by process output in every test file', () => {
    const before = secretAudit.recorded;
    new CapturingLogger().warn('hello');
    Logger.overrideLogger(new CapturingLogger());
    new Logger('x').log('world');
    Logger.overrideLogger(new Logger());
    process.stderr.write('');
    expect(secretAudit.recorded).toBeGreaterThanOrEqual(before + 3);
    expect(secretAudit.findings()).toEqual([]);
  });
});
