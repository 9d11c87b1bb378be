import { IsNotEmpty, IsString, MaxLength } from 'class-validator';
import { ClientCredentialsDto } from '../oauth2/client-credentials.dto';

/** Client credentials plus the current single-use refresh token (seeded after the authorization-code exchange). */
export class PassolutionCredentialsDto extends ClientCredentialsDto {
  @IsString() @IsNotEmpty() @MaxLength(8192)
  refresh_token: string;
}
