import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { InjectBrokerConfig, type BrokerConfig } from '@app/config';
import { AdminDisabledError, UnauthorizedError } from '@app/errors';
import { readBearerCredential, type AuthorizedRequest } from './bearer-credential';

/** Admin routes need `Authorization: Bearer $BROKER_ADMIN_TOKEN`, compared in constant time. */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected?: Buffer;

  constructor(@InjectBrokerConfig() config: BrokerConfig) {
    this.expected = config.adminToken ? digest(config.adminToken) : undefined;
  }

  canActivate(context: ExecutionContext): boolean {
    if (!this.expected) throw new AdminDisabledError();
    const token = readBearerCredential(context.switchToHttp().getRequest<AuthorizedRequest>());
    if (token === undefined || !timingSafeEqual(digest(token), this.expected)) {
      throw new UnauthorizedError('Admin routes need Authorization: Bearer <BROKER_ADMIN_TOKEN>');
    }
    return true;
  }
}

/** Hashing first makes the comparison constant-time whatever the lengths. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
