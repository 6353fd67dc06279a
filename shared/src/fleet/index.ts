export * from './manifest';
export { FleetProcesses, portOf, processEnv, type FleetOptions } from './launcher';
