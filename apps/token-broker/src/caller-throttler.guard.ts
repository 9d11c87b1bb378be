import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { CallerRequest } from './caller-auth.guard';

/** Rate limits per authenticated caller (runs after CallerAuthGuard), so one service cannot starve others. */
@Injectable()
export class CallerThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(request: Record<string, unknown>): Promise<string> {
    return (request as unknown as CallerRequest).caller ?? 'anonymous';
  }
}
