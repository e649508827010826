// nest-provider-auth/passport: the 'provider-bearer' strategy for apps built on @nestjs/passport.
// Its own export path, so that only apps using it need @nestjs/passport and passport.
export { ProviderBearerStrategy } from './provider-bearer.strategy.js';
