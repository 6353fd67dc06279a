import { describeServiceBoot } from '../../../shared/test/service-boot';
import { definition } from '../../src/service';

describeServiceBoot(definition, ['categories', 'products', 'product_categories', 'product_tags']);
