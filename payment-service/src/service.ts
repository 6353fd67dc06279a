import type { ServiceDefinition } from '@qc/shared/service';

/**
 * payment-service: platform only for now (config, schema with its outbox and processed-events tables,
 * health, metrics, Kafka, graceful shutdown). Its business endpoints arrive with later issues.
 */
export const definition: ServiceDefinition = {
  name: 'payment-service',
};
