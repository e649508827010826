import type { INestApplication } from '@nestjs/common';
import { ProviderEmulator } from '../lib/testing/index.js';
import { ChattyService, EMULATOR_LINE, startChattyApp, UNPREFIXED_KEY_WARNING, userAppLogs, whileChatting } from './support/chatty-app.js';
import { secretAudit } from './support/secret-audit.js';

/**
 * What a process prints on stdout and stderr from now until stop(), colours removed. Nest's default
 * ConsoleLogger writes there. The text still goes to the secret audit, not to the terminal.
 */
function captureOutput() {
  let text = '';
  const restores = [process.stdout, process.stderr].map((stream) => {
    const write = stream.write;
    stream.write = ((chunk: unknown) => {
      text += String(chunk);
      secretAudit.recordText(stream === process.stdout ? 'stdout' : 'stderr', String(chunk));
      return true;
    }) as typeof stream.write;
    return () => {
      stream.write = write;
    };
  });
  // eslint-disable-next-line no-control-regex
  const plain = () => text.replace(/\x1b\[[0-9;]*m/g, '');
  return {
    /** Everything printed so far, or from a mark() on. */
    text: (from = 0) => plain().slice(from),
    mark: () => plain().length,
    stop: () => restores.forEach((restore) => restore()),
  };
}

/**
 * The same promise with Nest's default console logger, which no test in this file replaces: the
 * user's lines keep reaching the terminal, the emulator's never do.
 */
describe('ProviderEmulator and a user app on Nest’s default console logger', () => {
  let output: ReturnType<typeof captureOutput>;
  const apps: INestApplication[] = [];
  const emulators: ProviderEmulator[] = [];

  beforeEach(() => {
    output = captureOutput();
  });
  afterEach(async () => {
    try {
      await Promise.all(apps.splice(0).map((a) => a.close()));
      await Promise.all(emulators.splice(0).map((e) => e.close()));
    } finally {
      output.stop();
    }
  });

  const userApp = async () => {
    const app = await startChattyApp({});
    apps.push(app);
    return app;
  };
  const emulator = async () => {
    const em = await ProviderEmulator.start();
    emulators.push(em);
    return em;
  };
  const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '');

  async function expectUserAppLogs(app: INestApplication, label: string): Promise<void> {
    const mark = output.mark();
    await userAppLogs(app, label);
    const text = output.text(mark);
    expect(text).toMatch(new RegExp(`LOG \\[ChattyService\\] user line ${label}\\n`));
    expect(text).toMatch(new RegExp(`WARN \\[ProviderAuth\\] ${UNPREFIXED_KEY_WARNING}`));
    expect(text).toMatch(/ERROR \[ExceptionHandler\] ProviderAuthConfigError: Invalid ProviderAuthModule configuration:[^]*incoming\.jwtSecret/);
  }

  it('user app first: printed before, while and after the emulator runs; the emulator prints nothing', async () => {
    const app = await userApp();
    expect(output.text()).toMatch(/LOG \[InstanceLoader\] ChattyAppModule dependencies initialized/);
    await expectUserAppLogs(app, 'before');

    let mark = output.mark();
    const em = await emulator();
    expect(lines(output.text(mark)).length).toBeLessThanOrEqual(1);
    expect(output.text(mark)).not.toMatch(EMULATOR_LINE);

    await expectUserAppLogs(app, 'while');
    mark = output.mark();
    await em.close();
    expect(output.text(mark)).toBe('');
    await expectUserAppLogs(app, 'after close');
    expect(output.text()).not.toMatch(EMULATOR_LINE);
  });

  it('emulator first: a user app started afterwards prints its bootstrap and everything after', async () => {
    const em = await emulator();
    expect(output.text()).toBe('');
    const app = await userApp();
    expect(output.text()).toMatch(/LOG \[InstanceLoader\] ChattyAppModule dependencies initialized/);
    expect(output.text()).toMatch(/LOG \[NestApplication\] Nest application successfully started/);
    await expectUserAppLogs(app, 'while');
    await em.close();
    await expectUserAppLogs(app, 'after close');
    expect(output.text()).not.toMatch(EMULATOR_LINE);
  });

  it('concurrently: a user app bootstrapping while two emulators start, and a chatty service, print their own lines only', async () => {
    const first = await userApp();
    const { result, ticksDuring, ticks } = await whileChatting(first.get(ChattyService), () => Promise.all([emulator(), userApp(), emulator()]));
    const text = output.text();
    expect(ticksDuring).toBeGreaterThan(0);
    expect(text.match(/LOG \[ChattyService\] tick \d+\n/g)).toHaveLength(ticks);
    expect(text.match(/ChattyAppModule dependencies initialized/g)).toHaveLength(2);
    expect(text.match(/ProviderAuthModule dependencies initialized/g)).toHaveLength(2);
    expect(text.match(/Nest application successfully started/g)).toHaveLength(2);
    expect(text).not.toMatch(EMULATOR_LINE);
    await expectUserAppLogs(result[1], 'while');
  });
});
