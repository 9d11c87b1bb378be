import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { CREDENTIAL_STORE, type CredentialStore } from '@app/credentials';
import { BrokerError } from '@app/errors';
import { CredentialsAdminService } from '@app/credential-admin';
import { CliModule } from './cli.module';
import { newCaller } from './new-caller';
import { readSecretInput } from './read-secret-input';

const USAGE = `Usage: npm run -s cli -- credentials <command> <provider> [options]
       npm run -s cli -- credentials init
       npm run -s cli -- callers new <name> [--allow provider1,provider2]
       npm run -s cli -- --help

  credentials set <provider> [--file PATH | --env VAR]   store credentials (JSON object; stdin when neither flag is given)
  credentials show <provider>                            field names, version and update time (never values)
  credentials delete <provider>                          remove them (the provider is no longer served)
  credentials init                                       start an empty CREDENTIALS_FILE after it was lost (first starts create it)
  callers new <name> [--allow a,b]                       print a new caller key (once) and the lines for CALLERS_FILE (default: all providers)

The credentials commands write the credential store directly, not through a running broker: run
them with the broker's environment (PROVIDERS_FILE; CREDENTIALS_FILE with BROKER_MASTER_KEY or
BROKER_MASTER_KEY_FILE, or VAULT_ADDR with VAULT_TOKEN or VAULT_ROLE_ID/VAULT_SECRET_ID; REDIS_URL
when the brokers use Redis). Running brokers read the new values within CREDENTIALS_CACHE_MS. With
REDIS_URL the CLI also ends a reauthorization_required state for every replica; a broker in embedded
mode keeps its own until restarted. To go through a running server instead, use
PUT /admin/credentials/<provider> with BROKER_ADMIN_TOKEN.`;

async function run(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const [group, command, provider, ...rest] = argv;
  if (group === 'callers' && command === 'new' && provider) {
    const allow = parseFlags(rest).get('allow');
    const { key, yaml } = newCaller(provider, !allow || allow === '*' ? '*' : allow.split(','));
    process.stdout.write(`Caller key (shown once; give it to the service, store it as a secret):\n\n  ${key}\n\n`);
    process.stdout.write(`Add under "callers:" in CALLERS_FILE (config/callers.yaml), then restart the broker:\n\n${yaml}`);
    return 0;
  }
  if (group === 'credentials' && command === 'init' && !provider) return initCredentialsFile();
  if (group !== 'credentials' || !['set', 'show', 'delete'].includes(command) || !provider) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const flags = parseFlags(rest);
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'], abortOnError: false });
  try {
    const admin = app.get(CredentialsAdminService);
    if (command === 'set') {
      const summary = await admin.put(
        provider,
        readSecretInput(flags, process.env, () => readFileSync(0, 'utf8')),
      );
      process.stdout.write(`Stored credentials for ${provider}: fields ${summary.fields.join(', ')}, version ${summary.version}\n`);
    } else if (command === 'show') {
      process.stdout.write(`${JSON.stringify(await admin.describe(provider), null, 2)}\n`);
    } else {
      await admin.delete(provider);
      process.stdout.write(`Deleted credentials for ${provider}\n`);
    }
    return 0;
  } finally {
    await app.close();
  }
}

/**
 * A person's word that a lost credentials file is to start over empty: the broker never does that
 * on its own (README "Where credentials live"). Running brokers sharing the file pick it up at once.
 */
async function initCredentialsFile(): Promise<number> {
  const app = await NestFactory.createApplicationContext(CliModule, { logger: ['error', 'warn'], abortOnError: false });
  try {
    const store = app.get<CredentialStore>(CREDENTIAL_STORE);
    if (!store.createEmpty)
      throw new Error(`credentials init is for the encrypted file store (CREDENTIALS_FILE); ${store.description} has nothing to create`);
    const created = await store.createEmpty();
    process.stdout.write(
      created
        ? `Created an empty credential store: ${store.description}\n`
        : `Nothing to do: ${store.description} exists (init is for a lost one; first starts create it)\n`,
    );
    return 0;
  } finally {
    await app.close();
  }
}

function parseFlags(args: string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    if (!args[i].startsWith('--') || args[i + 1] === undefined) throw new Error(`unexpected argument "${args[i]}"`);
    flags.set(args[i].slice(2), args[i + 1]);
  }
  return flags;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const message = error instanceof BrokerError ? error.message : (error as Error).message;
    process.stderr.write(`token-broker cli: ${message}\n`);
    process.exit(1);
  },
);
