/**
 * `npm run analytics:rebuild`: empties the rollups' projections and replays every raw event into
 * them (see rebuildProjections). In a container: `node dist/cli/rebuild.js` with the service's environment.
 */
import { runCommand } from '@qc/shared/service';
import { rebuildProjections } from '../domain/rebuild';
import { definition } from '../service';

runCommand(definition, async ({ dataSource }) => {
  const started = Date.now();
  const replayed = await rebuildProjections(dataSource);
  return `analytics-service: projections rebuilt from ${replayed} raw events in ${((Date.now() - started) / 1000).toFixed(1)} s`;
});
