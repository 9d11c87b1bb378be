import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { AdminDisabledError, UnauthorizedError } from '@app/errors';
import { InjectAppSettings, type AppSettings } from './app-settings';
import { AuthFailureThrottle } from './auth-failure-throttle';
import { readBearerCredential, type AuthorizedRequest } from './bearer-credential';

/** Admin routes need `Authorization: Bearer $BROKER_ADMIN_TOKEN`, compared in constant time. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(
    @InjectAppSettings() settings: Pick<AppSettings, 'adminToken'>,
    private readonly throttle: AuthFailureThrottle,
  ) {
    this.expected = settings.adminToken ? digest(settings.adminToken) : undefined;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthorizedRequest & { ip: string }>();
    await this.verify(readBearerCredential(request), request.ip);
    return true;
  }

  /** Throws unless `token` is the admin token; also for a token sent in a form (the connect page). */
  async verify(token: string | undefined, address: string): Promise<void> {
    if (!this.expected) throw new AdminDisabledError();
    if (token !== undefined && timingSafeEqual(digest(token), this.expected)) return;
    if (token !== undefined) await this.throttle.failed(address);
    throw new UnauthorizedError('Admin routes need Authorization: Bearer <BROKER_ADMIN_TOKEN>');
  }
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
