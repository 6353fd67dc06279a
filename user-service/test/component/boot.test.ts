import { describeServiceBoot } from '../../../shared/test/service-boot';
import { createUserService } from '../../src/service';

describeServiceBoot(createUserService(), ['users', 'sessions', 'refresh_tokens', 'addresses', 'signing_keys', 'service_secrets']);
