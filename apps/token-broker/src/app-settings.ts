import { Inject } from '@nestjs/common';
import type { CallerConfig } from '@app/config';

/** The application's own slice of the configuration: what its guards, caller limits and status page read. */
export interface AppSettings {
  /** Unset: the admin routes are off. */
  adminToken?: string;
  callers: CallerConfig[];
  /** `missing` or `empty`: every GET /tokens call is refused, with a hint to add a caller to `callersFile`. */
  callersFileState: 'missing' | 'empty' | 'listed';
  callersFile: string;
  callerRateLimitPerMinute: number;
  /** How this broker shares its state, in words for the status page (never an address or password). */
  brokerMode: string;
}

export const APP_SETTINGS = Symbol('APP_SETTINGS');
export const InjectAppSettings = (): ParameterDecorator => Inject(APP_SETTINGS);
