import { Module } from '@nestjs/common';
import { BrokerMetrics } from './broker-metrics.service';

/** One registry per application: a static module, so every importer shares the same instance. */
@Module({ providers: [BrokerMetrics], exports: [BrokerMetrics] })
export class MetricsModule {}
