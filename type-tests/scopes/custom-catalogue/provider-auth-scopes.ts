/**
 * The app's scope catalogue, stated once: the runtime list (`incoming.scopes`) and, through the
 * augmentation, the type `@Scopes()` and `ApiKeyService.create()` accept.
 */
export const APP_SCOPES = ['reports:read', 'reports:write', 'campaigns:read'] as const;

declare module 'nest-provider-auth' {
  interface ProviderAuthScopes {
    catalogue: (typeof APP_SCOPES)[number];
  }
}
