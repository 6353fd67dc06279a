export * from './service-client';
export * from './answers';
export * from './location';
export * from './inventory';
export * from './catalog';
export * from './addresses';
