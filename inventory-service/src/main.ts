import { main } from '@qc/shared/service';
import { definition } from './service';

main(definition);
