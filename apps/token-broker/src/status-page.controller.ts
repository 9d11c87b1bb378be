import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectCredentialStore, type CredentialStore } from '@app/credentials';
import { TokenStoreUnavailableError } from '@app/errors';
import { ProviderRegistry } from '@app/providers';
import { ProviderStateService, type ProviderSnapshot } from '@app/refresh';
import { InjectTokenStore, type TokenStore } from '@app/token-store';
import { InjectAppSettings, type AppSettings } from './app-settings';
import { renderStatusPage } from './status-page';
import { readBrokerVersion, type BrokerFacts } from './status-page-broker';
import { buildStatusPageView, RowSelection, type NotShown } from './status-page-view';
import { probeStores } from './store-readiness';
import { toStatusView, type ProviderStatusView } from './provider-status-view';

@ApiTags('operations')
@Controller()
export class StatusPageController {
  private readonly broker: BrokerFacts;

  constructor(
    private readonly states: ProviderStateService,
    @InjectTokenStore() private readonly tokens: TokenStore,
    @InjectCredentialStore() private readonly credentials: CredentialStore,
    @InjectAppSettings() settings: Pick<AppSettings, 'brokerMode'>,
    private readonly registry: ProviderRegistry,
  ) {
    // built with the app: the start of its uptime, and the version read once
    this.broker = { mode: settings.brokerMode, version: readBrokerVersion(), startedAt: Date.now() };
  }

  @Get()
  @ApiOperation({ summary: 'Status page for on-call: the broker, its stores, every provider and what to do; reloads every 5 s' })
  @ApiProduces('text/html')
  @ApiOkResponse({ schema: { type: 'string' } })
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
  async page(): Promise<string> {
    const [stores, providers] = await Promise.all([probeStores(this.tokens, this.credentials), this.providers()]);
    // asked of the rows shown only: a set of every provider cost milliseconds per reload at 10,000
    const connectable = new Set(
      providers.providers.flatMap(({ provider }) => (this.registry.get(provider).authorization ? [provider] : [])),
    );
    return renderStatusPage(buildStatusPageView({ broker: this.broker, stores, ...providers, connectable, now: Date.now() }));
  }

  /** With the token store down there are no provider states to show, but the page still says why. */
  private async providers(): Promise<{ providers: ProviderStatusView[]; notShown?: NotShown; providersUnavailable?: string }> {
    try {
      const rows = new RowSelection<ProviderSnapshot>();
      for await (const batch of this.states.batches()) rows.add(batch);
      const { shown, notShown } = rows.result();
      return { providers: shown.map(toStatusView), notShown };
    } catch (error) {
      if (!(error instanceof TokenStoreUnavailableError)) throw error;
      return { providers: [], providersUnavailable: `Provider states cannot be read: ${error.message}` };
    }
  }
}
