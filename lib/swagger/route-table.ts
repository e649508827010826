import { RequestMethod, VersioningType, type INestApplication, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_PATH, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants.js';
import { MetadataScanner, ModulesContainer, type ApplicationConfig } from '@nestjs/core';
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory.js';

/** One HTTP route of the app: the controller class, the handler, and the document key(s) it is served under. */
export interface AppRoute {
  readonly controller: Type<unknown>;
  readonly handler: (...args: unknown[]) => unknown;
}

/** Where the app keeps its global prefix, versioning and global guards (as @nestjs/swagger reads it too). */
export function applicationConfigOf(app: INestApplication): ApplicationConfig {
  const config = (app as unknown as { config?: ApplicationConfig }).config;
  if (!config || typeof config.getGlobalPrefix !== 'function') {
    throw new TypeError('applyProviderAuthOpenApi(): pass the INestApplication that SwaggerModule.createDocument() was given');
  }
  return config;
}

/**
 * A provider's instance by token, from any module, or undefined. Not app.get(): outside a testing
 * module, app.get() of a missing token reports the error through Nest's exception zone, which ends
 * the process by default (abortOnError).
 */
export function findProvider<T>(app: INestApplication, token: string | symbol): T | undefined {
  for (const module of app.get(ModulesContainer, { strict: false }).values()) {
    const wrapper = module.providers.get(token);
    if (wrapper?.instance) return wrapper.instance as T;
  }
  return undefined;
}

// What @nestjs/swagger lists a RequestMethod.ALL route under.
const ALL_METHODS = ['get', 'post', 'put', 'delete', 'patch', 'options', 'head', 'search', 'query'];

// Placeholders no route path contains, while braces still mean optional groups.
const PARAM = '\u0000';
const COLON = '\u0001';

/**
 * A path in a form both sides agree on: every parameter (`:id`, `{id}`, `*rest`, `{*rest}`,
 * legacy `*` and `(.*)`) becomes `{}`, optional-group braces and a trailing slash are dropped. The
 * document's `/v1/campaigns/{id}` and Nest's `/v1/campaigns/:id` meet as `/v1/campaigns/{}`.
 */
export function pathShape(path: string, from: 'nest' | 'openapi'): string {
  let shape: string;
  if (from === 'openapi') {
    shape = path.replace(/\{[^}]*\}/g, PARAM);
  } else {
    shape = path
      .replace(/\(\^[^)]+\)/g, '') // inline regular expressions, as @nestjs/swagger drops them
      .replace(/\\:|::|\[:\]/g, COLON) // an escaped, literal colon
      .replace(/\(\.\*\)/g, PARAM)
      .replace(/:(?:"[^"]*"|[A-Za-z_$][\w$]*)|\*(?:"[^"]*"|[A-Za-z_$][\w$]*)?/g, PARAM)
      .replace(/[{}]/g, '')
      .replace(/\\(.)/g, '$1')
      .replaceAll(COLON, ':');
  }
  shape = shape.replaceAll(PARAM, '{}').replace(/\/+/g, '/');
  if (!shape.startsWith('/')) shape = `/${shape}`;
  if (shape.length > 1 && shape.endsWith('/')) shape = shape.slice(0, -1);
  return shape;
}

/** The key of one operation: `get /v1/campaigns/{}`. */
export function operationKey(method: string, shape: string): string {
  return `${method.toLowerCase()} ${shape}`;
}

/**
 * Every HTTP route of the app, keyed by method and path shape, with the paths built by Nest's own
 * RoutePathFactory from the same inputs @nestjs/swagger gives it (global prefix and its
 * exclusions, RouterModule paths, URI versioning, controller and method paths). Each route is
 * keyed with and without the global prefix: a document made with `ignoreGlobalPrefix` is found too.
 * Where two handlers share a key (header or media-type versioning), the last one scanned wins, as
 * in the document @nestjs/swagger builds.
 */
export function routeTable(app: INestApplication): { prefixed: Map<string, AppRoute>; unprefixed: Map<string, AppRoute> } {
  const config = applicationConfigOf(app);
  const modules = app.get(ModulesContainer, { strict: false });
  const scanner = new MetadataScanner();
  const prefixed = new Map<string, AppRoute>();
  const unprefixed = new Map<string, AppRoute>();
  const globalPrefix = config.getGlobalPrefix().replace(/\/$/, '');
  const versioningOptions = config.getVersioning();
  for (const module of modules.values()) {
    const modulePath =
      (Reflect.getMetadata(MODULE_PATH + modules.applicationId, module.metatype) as string | undefined) ??
      (Reflect.getMetadata(MODULE_PATH, module.metatype) as string | undefined);
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as Type<unknown> | null;
      if (!controller || typeof controller !== 'function') continue;
      const prototype = controller.prototype as Record<string, unknown>;
      const ctrlPath = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined; // or string[]: the factory takes both
      // As @nestjs/swagger: the controller's version (or the default) only shapes URI-versioned paths.
      const controllerVersion =
        versioningOptions?.type === VersioningType.URI ? (Reflect.getMetadata(VERSION_METADATA, controller) ?? versioningOptions.defaultVersion) : undefined;
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name] as AppRoute['handler'];
        const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (methodPath === undefined) continue;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
        const methodVersion = Reflect.getMetadata(VERSION_METADATA, handler);
        const route = { controller, handler };
        const methods = requestMethod === RequestMethod.ALL ? ALL_METHODS : [RequestMethod[requestMethod]];
        for (const [table, prefix] of [
          [prefixed, globalPrefix],
          [unprefixed, ''],
        ] as const) {
          const paths = new RoutePathFactory(config).create(
            { ctrlPath, methodPath, modulePath, globalPrefix: prefix, controllerVersion, methodVersion, versioningOptions },
            requestMethod,
          );
          for (const path of paths) for (const method of methods) table.set(operationKey(method, pathShape(path, 'nest')), route);
        }
      }
    }
  }
  return { prefixed, unprefixed };
}
