import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { RequestLineWriter, StructuredLogger } from '@app/logging';
import { BrokerMetrics } from '@app/metrics';
import { ProviderRegistry } from '@app/providers';
import { AppModule, type AppModuleOptions } from './app.module';
import { acceptFormBodiesOnFormRoutes } from './connect-form-body';
import { limitConnections } from './connection-limiter';
import { httpServerOptions, refuseUnmetExpectations } from './http-server-options';
import { setupOpenApi } from './openapi/setup-openapi';
import { guardEveryRequest } from './request-edge';
import { observeRequests } from './request-observer';
import { TokenRoute } from './token-route';

/** The broker as an HTTP application, not yet listening. Used by main.ts and by the e2e tests. */
export async function createApp(options: AppModuleOptions = {}): Promise<NestFastifyApplication> {
  // no Nest middleware anywhere: without it @fastify/middie would still run on every request, the
  // token route's included (a Nest middleware added later fails startup instead of slowing it)
  const adapter = new FastifyAdapter({ ...httpServerOptions(), skipMiddie: true });
  // the only body the broker takes is an admin JSON document: Fastify's JSON parser stays, its text
  // parser goes, and Nest's form parser is never added (bodyParser: false), so any other type is a 415
  adapter.getInstance().removeContentTypeParser('text/plain');
  acceptFormBodiesOnFormRoutes(adapter.getInstance()); // the connect page's form, and no other route
  guardEveryRequest(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    // startup errors reach main.ts, which prints them as one line; logs are held back until the
    // port is open (and dropped if startup fails, so that line stays the only line)
    abortOnError: false,
    bodyParser: false,
    bufferLogs: true,
    autoFlushLogs: false,
  });
  app.useLogger(app.get(StructuredLogger));
  limitConnections(adapter.getInstance().server);
  refuseUnmetExpectations(adapter.getInstance().server);
  observeRequests(adapter.getInstance(), app.get(RequestLineWriter), app.get(BrokerMetrics), app.get(ProviderRegistry));
  app.get(TokenRoute).register(adapter.getInstance());
  setupOpenApi(app);
  // module init (provider types, credential store) runs in listen(): it can still fail after this
  adapter.getInstance().addHook('onListen', (done) => {
    app.flushLogs();
    done();
  });
  app.enableShutdownHooks();
  return app;
}
