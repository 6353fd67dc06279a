import { describeServiceBoot } from '../../../shared/test/service-boot';
import { definition } from '../../src/service';

describeServiceBoot(definition, ['stores', 'stock', 'stock_movements', 'reservations', 'reservation_lines']);
