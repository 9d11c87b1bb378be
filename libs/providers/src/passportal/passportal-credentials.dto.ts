import { IsNotEmpty, IsOptional, IsString, MaxLength } from 'class-validator';

export class PassportalCredentialsDto {
  /** The API Access Key ID, sent as `x-key`. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  key_id: string;

  /** Keys the HMAC sent as `x-hash`; never sent itself. */
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  secret_key: string;

  /** The text whose HMAC proves the key; the docs' example text when omitted. */
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  content?: string;
}
