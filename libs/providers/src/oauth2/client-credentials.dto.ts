import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

/** Credentials of every client-credentials provider. */
export class ClientCredentialsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(1024)
  client_id: string;

  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  client_secret: string;
}
