// nest-provider-auth/swagger: ProviderAuthGuard's rules in the app's OpenAPI document.
// Its own export path, for apps using @nestjs/swagger; only its types are used, nothing of it is loaded.
export { applyProviderAuthOpenApi, type ProviderAuthOpenApiOptions } from './apply-provider-auth-openapi.js';
