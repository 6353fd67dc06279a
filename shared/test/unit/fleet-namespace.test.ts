import type { Admin } from 'kafkajs';
import {
  FLEET,
  GATEWAY,
  RUN_NAMESPACE,
  SERVICES,
  deleteTopics,
  e2eNamespace,
  newRunId,
  passwordVariable,
  processEnv,
  runStartedAt,
  runsNamedIn,
  serviceSpec,
} from '@qc/shared/fleet';

const passwords = Object.fromEntries(SERVICES.map((s) => [passwordVariable(s), 'secret']));

describe('fleet namespaces', () => {
  it("when make run's fleet is placed, then its processes use the qc_ schemas, the services' users and groups, and no Redis or topic prefix", () => {
    const env = processEnv(serviceSpec('order-service'), passwords);
    expect(env).toMatchObject({
      MYSQL_URL: 'mysql://order_service:secret@127.0.0.1:3306/qc_order',
      KAFKA_CONSUMER_GROUP: 'order-service',
      REDIS_KEY_PREFIX: '',
      KAFKA_TOPIC_PREFIX: '',
    });
    expect(processEnv(GATEWAY, passwords).REDIS_KEY_PREFIX).toBe('');
    // A prefix left in the developer's shell does not move make run's fleet off the usual topics.
    for (const spec of SERVICES) expect(processEnv(spec, { ...passwords, KAFKA_TOPIC_PREFIX: 'stray.' }).KAFKA_TOPIC_PREFIX).toBe('');
  });

  it('when the fleet is placed, then services trust forwarding headers from loopback (the gateway) and the gateway trusts no one', () => {
    for (const spec of SERVICES) expect(processEnv(spec, passwords).TRUSTED_PROXIES).toBe('loopback');
    expect(processEnv(GATEWAY, passwords).TRUSTED_PROXIES).toBeUndefined();
  });

  it("when an end-to-end run's fleet is placed, then every process gets the run's schema, user, group, Redis and topic prefix", () => {
    const namespace = e2eNamespace('1a2b3c4d');
    for (const spec of FLEET) {
      const env = processEnv(
        spec,
        { ...passwords, REDIS_KEY_PREFIX: '', KAFKA_CONSUMER_GROUP: 'order-service', KAFKA_TOPIC_PREFIX: '' },
        { namespace, portOffset: 10_000 },
      );
      expect(env.REDIS_KEY_PREFIX).toBe('e2e:1a2b3c4d:');
      expect(env.PORT).toBe(String(spec.port + 10_000));
      if (!spec.schema) continue;
      const name = `qce2e_1a2b3c4d_${spec.name.replace(/-service$/, '')}`;
      expect(env.MYSQL_URL).toBe(`mysql://${name}:secret@127.0.0.1:3306/${name}`);
      expect(env.KAFKA_CONSUMER_GROUP).toBe(`e2e.1a2b3c4d.${spec.name}`);
      expect(env.KAFKA_TOPIC_PREFIX).toBe('e2e.1a2b3c4d.');
    }
  });

  it("when an end-to-end run's names are made, then none is make run's and every user fits MySQL's 32 characters", () => {
    const namespace = e2eNamespace('zz99zz99');
    for (const spec of SERVICES) {
      expect(namespace.schema(spec)).not.toBe(RUN_NAMESPACE.schema(spec));
      expect(namespace.schema(spec).startsWith('qc_')).toBe(false);
      expect(namespace.databaseUser(spec).length).toBeLessThanOrEqual(32);
      expect(namespace.consumerGroup(spec)).not.toBe(RUN_NAMESPACE.consumerGroup(spec));
    }
    expect(namespace.kafkaTopicPrefix).toBe('e2e.zz99zz99.');
  });

  it("when a namespace's topics are deleted, then only those under its prefix go, and make run's are refused", async () => {
    const deleted: string[][] = [];
    const admin = {
      listTopics: async () => [
        'order.events',
        'dlq.order-service',
        'e2e.zz99zz99.order.events',
        'e2e.zz99zz99.dlq.order-service',
        'e2e.other.order.events',
      ],
      deleteTopics: async ({ topics }: { topics: string[] }) => void deleted.push(topics),
    } as unknown as Admin;
    expect(await deleteTopics(admin, e2eNamespace('zz99zz99'))).toEqual(['e2e.zz99zz99.order.events', 'e2e.zz99zz99.dlq.order-service']);
    expect(deleted).toEqual([['e2e.zz99zz99.order.events', 'e2e.zz99zz99.dlq.order-service']]);
    await expect(deleteTopics(admin, RUN_NAMESPACE)).rejects.toThrow(/refusing/);
    expect(deleted).toHaveLength(1);
  });

  it('when a run id could escape its names, then e2eNamespace refuses it', () => {
    for (const run of ['', 'UPPER', 'has_underscore', 'toolong123', 'a`b']) expect(() => e2eNamespace(run)).toThrow(/run id/);
  });
});

describe('end-to-end run ids', () => {
  it('when a run id is made, then it is a valid namespace id that tells the second its run started', () => {
    const started = Date.UTC(2026, 11, 4, 19, 30, 15, 250);
    const run = newRunId(started);
    expect(() => e2eNamespace(run)).not.toThrow();
    expect(run).toHaveLength(8);
    expect(runStartedAt(run)).toBe(Date.UTC(2026, 11, 4, 19, 30, 15));
  });

  it("when names of every kind are read, then each run they belong to is found once and make run's names name none", () => {
    const names = [
      'qce2e_abc12345_order',
      'qce2e_abc12345_delivery',
      'e2e.abc12345.order.events',
      'e2e.zz99zz99.order-service',
      'e2e:q1w2e3r4:ratelimit:1',
      'qc_order',
      'order.events',
      'order-service',
      'cart:123',
    ];
    expect([...runsNamedIn(names)].sort()).toEqual(['abc12345', 'q1w2e3r4', 'zz99zz99']);
  });
});
