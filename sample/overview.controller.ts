import { Controller, Get } from '@nestjs/common';
import { OverviewService } from './overview.service.js';

@Controller()
export class OverviewController {
  constructor(private readonly overviewService: OverviewService) {}

  /** Affilync campaigns and Convertly affiliates, side by side. */
  @Get('overview')
  overview() {
    return this.overviewService.overview();
  }
}
