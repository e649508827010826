import { Body, Controller, Delete, Get, NotFoundException, Param, Post } from '@nestjs/common';
import { ApiKeyService, Roles, type CreateApiKeyInput } from '../lib/index.js';

/** Admins issue and revoke afk_live_ keys; a key is shown once, at creation. */
@Controller('api-keys')
@Roles('admin')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeyService) {}

  /** Bad input gets ApiKeyService's own answer: 422 VALIDATION_ERROR listing the fields. */
  @Post()
  create(@Body() body: { label?: string; scopes?: string[] }) {
    return this.keys.create({ label: body?.label, scopes: body?.scopes } as CreateApiKeyInput);
  }

  @Get()
  list() {
    return this.keys.list();
  }

  @Delete(':id')
  async revoke(@Param('id') id: string) {
    if (!(await this.keys.revoke(id))) throw new NotFoundException({ detail: 'No such active key', error_code: 'RESOURCE_NOT_FOUND', status: 404 });
    return { id, revoked: true };
  }
}
