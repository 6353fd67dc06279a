import { describeServiceBoot } from '../../../shared/test/service-boot';
import { definition } from '../../src/service';

describeServiceBoot(definition, ['zones', 'stores']);
