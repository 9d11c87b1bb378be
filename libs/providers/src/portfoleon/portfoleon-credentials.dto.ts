import { IsNotEmpty, IsString, MaxLength } from 'class-validator';

export class PortfoleonCredentialsDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(4096)
  api_key: string;
}
