import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';
import { ClientCredentialsDto } from '../oauth2/client-credentials.dto';

/**
 * The client plus its current refresh token. The token is optional so a client can be stored
 * before anyone authorized it; refreshing needs one (until then: `credentials_missing`).
 */
export class RefreshTokenCredentialsDto extends ClientCredentialsDto {
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(8192)
  refresh_token?: string;
}
