import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/*
 * Shapes of the answers, for /docs only: nothing validates or transforms with these classes, so
 * the hot path gains no pipe.
 */

const STATES = ['ok', 'refreshing', 'degraded', 'failing', 'reauthorization_required', 'credentials_missing'];

export class ErrorBody {
  @ApiProperty({ description: 'Machine-readable code', example: 'upstream_unavailable' })
  error: string;
  @ApiProperty({
    description: 'What went wrong, for a person; never a secret or an upstream body',
    example: 'Upstream for "sd" is unavailable: HTTP 503',
  })
  message: string;
}

export class TokenBody {
  @ApiProperty({ example: 'smartdocumentor' }) provider: string;
  @ApiProperty({ description: 'The upstream access token' }) access_token: string;
  @ApiProperty({ example: 'Bearer' }) token_type: string;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
  @ApiProperty({ description: 'Whole seconds left' }) expires_in: number;
}

export class ForcedRefreshBody {
  @ApiProperty() provider: string;
  @ApiProperty({ format: 'date-time' }) expires_at: string;
  @ApiProperty() expires_in: number;
}

export class LastErrorBody {
  @ApiProperty({ example: 'invalid_client' }) code: string;
  @ApiProperty() message: string;
  @ApiProperty({ format: 'date-time' }) at: string;
}

export class ProviderStatusBody {
  @ApiProperty() provider: string;
  @ApiProperty({ example: 'smartdocumentor' }) type: string;
  @ApiProperty({ enum: STATES }) state: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expires_at: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) last_refresh_at: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Start of the pre-refresh window, or the end of the backoff',
  })
  next_refresh_at: string | null;
  @ApiProperty() consecutive_failures: number;
  @ApiProperty({ type: LastErrorBody, nullable: true }) last_error: LastErrorBody | null;
  @ApiProperty({ description: 'A rotated refresh token still waits for its credential-store write' }) durable_write_pending: boolean;
}

export class CredentialSummaryBody {
  @ApiProperty() provider: string;
  @ApiProperty({ type: [String], description: 'Field names only, never values' }) fields: string[];
  @ApiProperty() version: number;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class HealthBody {
  @ApiProperty({ example: 'ok' }) status: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { token_store: { status: 'up', backend: 'Redis' } } })
  info?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) error?: Record<string, unknown>;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true }) details?: Record<string, unknown>;
}
