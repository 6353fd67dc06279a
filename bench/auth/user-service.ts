/**
 * user-service as `make run` starts it (runService, its own key ring, argon2id at OWASP's minimum),
 * on a throwaway schema that is dropped on SIGTERM. Reports its port to the parent over IPC.
 */
import { runService } from '@qc/shared/service';
import { createTestSchema, testServiceEnv } from '@qc/shared/testing';
import { createUserService } from '../../user-service/dist/service.js';

const schema = await createTestSchema('bench_auth');
const service = await runService(
  createUserService(),
  testServiceEnv(schema, { LOG_LEVEL: 'warn', MYSQL_POOL_SIZE: '10', LOGIN_MAX_FAILURES: '1000000', AUTH_RATE_LIMIT_MAX: '1000000000' }),
);
process.once('SIGTERM', () => {
  void service
    .stop()
    .then(() => schema.drop())
    .finally(() => process.exit(0));
});
process.send!({ port: service.port });
