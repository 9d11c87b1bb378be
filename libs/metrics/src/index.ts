export { MetricsModule } from './metrics.module';
export { BrokerMetrics } from './broker-metrics.service';
