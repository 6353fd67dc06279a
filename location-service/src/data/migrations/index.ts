import { ZonesAndStores1795243500000 } from './1795243500000-zones-and-stores';

/** location-service's migrations, in order (the platform's run before them). */
export const migrations = [ZonesAndStores1795243500000];
