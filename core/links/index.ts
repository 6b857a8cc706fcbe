export * from './signingKey';
export * from './linkToken';
export * from './csrf';
export * from './reviewUrl';
export * from './decisionMac';
export * from './oneTimeCode';
export * from './reviewLinks';
