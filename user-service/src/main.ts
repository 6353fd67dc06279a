import { main } from '@qc/shared/service';
import { createUserService } from './service';

main(createUserService());
