import { Controller, Get } from '@nestjs/common';
import { Public } from '../lib/index.js';
import { OverviewService } from './overview.service.js';

@Controller()
export class OverviewController {
  constructor(private readonly overviewService: OverviewService) {}

  /** Affilync campaigns and Convertly affiliates, side by side. Open, to try the clients first. */
  @Public()
  @Get('overview')
  overview() {
    return this.overviewService.overview();
  }
}
