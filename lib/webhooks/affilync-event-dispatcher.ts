import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { AffilyncWebhookDelivery } from '../dialects/affilync.events.js';
import { ProviderAuthConfigError } from '../provider-auth-config.error.js';
import { PROVIDER_AUTH_OPTIONS } from '../provider-auth.constants.js';
import type { ResolvedProviderAuthOptions } from '../provider-auth.options.js';
import { OnAffilyncEventMetadata } from './on-affilync-event.decorator.js';

type Handler = (event: AffilyncWebhookDelivery) => unknown;

/**
 * The @OnAffilyncEvent() methods of the app, found once at bootstrap, by event name, in the order
 * Nest lists its providers. A webhook route runs them one after another, awaiting each.
 */
@Injectable()
export class AffilyncEventDispatcher implements OnModuleInit {
  private readonly handlers = new Map<string, Handler[]>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    @Inject(PROVIDER_AUTH_OPTIONS) private readonly options: ResolvedProviderAuthOptions,
  ) {}

  onModuleInit(): void {
    const problems: { path: string; problem: string }[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const { instance, metatype } = wrapper;
      if (typeof metatype !== 'function') continue;
      const prototype = metatype.prototype as object | undefined;
      if (!prototype) continue;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const names = this.reflector.get(OnAffilyncEventMetadata, (prototype as Record<string, Handler>)[method]);
        if (!names?.length) continue;
        const where = `${metatype.name}.${method}`;
        // A request-scoped provider has no instance to call when a delivery arrives: refuse it at bootstrap.
        if (!wrapper.isDependencyTreeStatic() || !instance) {
          problems.push({ path: where, problem: '@OnAffilyncEvent() needs a singleton provider (this one is request- or transient-scoped)' });
          continue;
        }
        const handler: Handler = (event) => (instance as Record<string, Handler>)[method](event);
        for (const name of names) this.handlers.set(name, [...(this.handlers.get(name) ?? []), handler]);
      }
    }
    if (this.handlers.size > 0 && !this.options.incoming?.webhookKeys.length) {
      problems.push({
        path: 'incoming.webhookSecret',
        problem: 'is not configured, but @OnAffilyncEvent() handlers exist; give the whsec_ secret you registered with Affilync',
      });
    }
    if (problems.length > 0) throw new ProviderAuthConfigError(problems);
  }

  /** Runs every handler of the event's name in turn; the first that throws stops the rest and fails the delivery. */
  async dispatch(event: AffilyncWebhookDelivery): Promise<void> {
    for (const handler of this.handlers.get(event.event) ?? []) await handler(event);
  }
}
