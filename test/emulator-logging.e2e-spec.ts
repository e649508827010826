import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ProviderEmulator } from '../lib/testing/index.js';
import { CapturingLogger } from './support/capturing-logger.js';
import {
  ChattyService,
  chattyAppModule,
  EMULATOR_LINE,
  startChattyApp,
  UNPREFIXED_KEY_OPTIONS,
  UNPREFIXED_KEY_WARNING,
  userAppLogs,
  whileChatting,
} from './support/chatty-app.js';

/**
 * The emulator's inner Nest apps stay quiet without taking the process's logging away: a user's
 * app keeps logging through the logger the user set up, whichever starts first, while the
 * emulator starts, while it runs and after it closed. (Nest has one process-wide logger; any
 * `logger` option but true replaces it for everyone.)
 */
describe('ProviderEmulator and a user app with its own logger', () => {
  let logger: CapturingLogger;
  const apps: INestApplication[] = [];
  const emulators: ProviderEmulator[] = [];

  beforeEach(() => {
    logger = new CapturingLogger();
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await Promise.all(emulators.splice(0).map((e) => e.close()));
  });

  /** Starts a user app logging through `logger`, closed after the test. */
  const userApp = async () => {
    const app = await startChattyApp({}, { logger });
    apps.push(app);
    return app;
  };
  const emulator = async () => {
    const em = await ProviderEmulator.start();
    emulators.push(em);
    return em;
  };
  /** The text logged from `mark` (an index into logger.lines) on. */
  const since = (mark: number) =>
    logger.lines
      .slice(mark)
      .map((l) => `${l.level} ${l.text}`)
      .join('\n');
  const count = (needle: string) => logger.lines.filter((l) => l.text.includes(needle)).length;

  /** The user's service line, the library's warning and Nest's print of a bootstrap error, all logged. */
  async function expectUserAppLogs(app: INestApplication, label: string): Promise<void> {
    const mark = logger.lines.length;
    await userAppLogs(app, label, { logger });
    const text = since(mark);
    expect(text).toContain(`log user line ${label} ChattyService`);
    expect(text).toMatch(new RegExp(`warn ${UNPREFIXED_KEY_WARNING}.*ProviderAuth`));
    expect(text).toMatch(/error ProviderAuthConfigError: Invalid ProviderAuthModule configuration:[^]*incoming\.jwtSecret[^]*ExceptionHandler/);
  }

  /** Requests the emulator answers with errors of its own: nothing of them may reach the user's log. */
  async function exercise(em: ProviderEmulator): Promise<void> {
    expect((await fetch(`${em.affilyncBaseUrl}/no-such-route`)).status).toBe(404);
    expect(
      (await fetch(`${em.convertlyBaseUrl}/auth/brand/login`, { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } })).status,
    ).toBe(400);
    em.fault({ provider: 'affilync', path: '/campaigns', status: 503 });
    expect((await fetch(`${em.affilyncBaseUrl}/campaigns`, { headers: { authorization: `Bearer ${em.apiKey}` } })).status).toBe(503);
  }

  it('user app first: it logs before, while and after the emulator runs; the emulator logs nothing', async () => {
    const app = await userApp();
    expect(count('ChattyAppModule dependencies initialized')).toBe(1);
    await expectUserAppLogs(app, 'before');

    let mark = logger.lines.length;
    const em = await emulator();
    expect(logger.lines.length - mark).toBeLessThanOrEqual(1); // at most one line per start
    expect(since(mark)).not.toMatch(EMULATOR_LINE);

    await expectUserAppLogs(app, 'while');
    await exercise(em);
    mark = logger.lines.length;
    await em.close();
    expect(since(mark)).toBe('');

    await expectUserAppLogs(app, 'after close');
    expect(since(0)).not.toMatch(EMULATOR_LINE);
    expect(count('Starting Nest application')).toBe(7); // the user's 7 bootstraps; none of the emulator's
  });

  it('emulator first: a user app started afterwards logs its bootstrap and everything after, also once the emulator closed', async () => {
    const em = await emulator();
    expect(logger.lines).toEqual([]);
    const app = await userApp();
    expect(count('ChattyAppModule dependencies initialized')).toBe(1);
    expect(count('ProviderAuthModule dependencies initialized')).toBe(1);
    expect(count('Nest application successfully started')).toBe(1);
    await expectUserAppLogs(app, 'while');
    await exercise(em);
    await em.close();
    await expectUserAppLogs(app, 'after close');
    expect(since(0)).not.toMatch(EMULATOR_LINE);
  });

  it('concurrently: a user app bootstrapping while two emulators start, and a chatty service, lose no line and gain none', async () => {
    const first = await userApp();
    const { result, ticksDuring, ticks } = await whileChatting(first.get(ChattyService), () => Promise.all([emulator(), userApp(), emulator()]));
    expect(ticksDuring).toBeGreaterThan(0); // logged while the emulators were starting
    expect(count('tick ')).toBe(ticks);
    // Exactly the user's two apps: the emulators' four inner apps (each with ProviderAuthModule) said nothing.
    expect(count('ChattyAppModule dependencies initialized')).toBe(2);
    expect(count('ProviderAuthModule dependencies initialized')).toBe(2);
    expect(count('Nest application successfully started')).toBe(2);
    expect(since(0)).not.toMatch(EMULATOR_LINE);
    await expectUserAppLogs(result[1], 'while');
    await Promise.all(emulators.splice(0).map((e) => e.close()));
    await expectUserAppLogs(first, 'after close');
  });

  it('concurrently, with bufferLogs + useLogger (Nest’s custom-logger recipe): the buffered bootstrap lines reach the user’s logger', async () => {
    const start = async () => {
      const app = await NestFactory.create(chattyAppModule(UNPREFIXED_KEY_OPTIONS), { bufferLogs: true, abortOnError: false });
      apps.push(app);
      app.useLogger(logger);
      // The recipe ends with listen(), which flushes the buffer (Nest 11 flushes there only; 12 also on useLogger).
      await app.listen(0, '127.0.0.1');
      return app;
    };
    const [app] = await Promise.all([start(), emulator(), emulator()]);
    expect(count('ChattyAppModule dependencies initialized')).toBe(1);
    expect(count(UNPREFIXED_KEY_WARNING)).toBe(1);
    expect(count('Nest application successfully started')).toBe(1);
    expect(since(0)).not.toMatch(EMULATOR_LINE);
    await expectUserAppLogs(app, 'while');
  });

  it('a logger the user installs while the emulator is open stays installed after it closes', async () => {
    await userApp();
    const em = await emulator();
    const later = new CapturingLogger();
    const app = await startChattyApp({}, { logger: later });
    apps.push(app);
    const mark = logger.lines.length;
    await em.close();
    app.get(ChattyService).say('after close');
    expect(later.text()).toContain('log after close ChattyService');
    expect(since(mark)).toBe('');
    expect(later.text()).not.toMatch(EMULATOR_LINE);
  });

  it('two emulators closed in either order, then a third: the user’s logger works throughout', async () => {
    const app = await userApp();
    const [a, b] = [await emulator(), await emulator()];
    await a.close();
    await expectUserAppLogs(app, 'after the first close');
    await b.close();
    await expectUserAppLogs(app, 'after the second close');
    const c = await emulator();
    await expectUserAppLogs(app, 'with a third');
    await c.close();
    await c.close(); // idempotent
    await expectUserAppLogs(app, 'after all');
    expect(since(0)).not.toMatch(EMULATOR_LINE);
    // With every emulator closed, Nest's logger field is a plain one again.
    expect(Object.getOwnPropertyDescriptor(Logger, 'staticInstanceRef')).toEqual({ value: logger, writable: true, enumerable: true, configurable: true });
  });
});
