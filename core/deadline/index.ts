/** The deadline mechanism's core: business time, the run's plan, the signed order, the worker's tick. */
export * from './action';
export * from './businessTime';
export * from './plan';
export * from './worker';
export * from './status';
