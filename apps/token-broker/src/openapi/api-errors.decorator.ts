import { applyDecorators } from '@nestjs/common';
import { ApiResponse, getSchemaPath } from '@nestjs/swagger';
import { ErrorBody } from './api-models';

/** Which error codes each status carries (see error-response.ts). */
export const ERROR_MEANINGS: Record<number, string> = {
  400: 'invalid_request (bad provider id, minTtl or body, two Authorization headers) or invalid_credentials',
  401: 'unauthorized: missing or wrong bearer key (WWW-Authenticate: Bearer)',
  403: 'forbidden (caller may not fetch this provider) or admin_disabled (BROKER_ADMIN_TOKEN unset)',
  404: 'unknown_provider, or credentials_not_found',
  409: 'credential_conflict, or connect_unavailable (no authorizeUrl, PUBLIC_URL unset, or no client stored)',
  413: 'payload_too_large (over 64 KiB)',
  415: 'unsupported_media_type: the body is not application/json',
  422: 'min_ttl_unattainable: the provider never issues tokens living that long',
  429: 'rate_limited: over CALLER_RATE_LIMIT per minute, or too_many_failed_authentications from this address (Retry-After)',
  503: 'credentials_missing, reauthorization_required, upstream_unavailable (Retry-After), lock_unavailable, token_store_unavailable, credential_store_unavailable or not_ready',
};

/** Documents the `{error, message}` answers a route can give. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, type: ErrorBody, description: ERROR_MEANINGS[status] })));
}

/** The same, for routes described by hand. */
export function errorResponse(description: string): { description: string; content: Record<string, { schema: { $ref: string } }> } {
  return { description, content: { 'application/json': { schema: { $ref: getSchemaPath(ErrorBody) } } } };
}
