/**
 * A catalogue known only at run time (read from configuration, say) opts out of the typing with
 * `catalogue: string`; the bootstrap check and create()'s 422 still refuse unknown scopes.
 */
import { Controller, Get } from '@nestjs/common';
import { ApiKeyService, Scopes, type Scope } from 'nest-provider-auth';

declare module 'nest-provider-auth' {
  interface ProviderAuthScopes {
    catalogue: string;
  }
}

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
export const scopeIsAnyString: Equals<Scope, string> = true;

const configured: string = process.env.REPORTS_SCOPE ?? 'reports:read';

@Controller('reports')
export class ReportsController {
  constructor(private readonly keys: ApiKeyService) {}

  @Scopes(configured, 'anything:at-all') @Get() list() {}

  issue(scopes: string[]) {
    return this.keys.create({ label: 'configured', scopes });
  }

  // @ts-expect-error still a list of strings, not a number
  @Scopes(42) @Get('n') n() {}
}
