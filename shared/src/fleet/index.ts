export * from './manifest';
export * from './namespace';
export { FleetProcesses, portOf, processEnv, type FleetOptions, type Placement } from './launcher';
