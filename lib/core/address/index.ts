export * from './cidr';
export * from './intervals';
export * from './allocator';
export * from './record';
export * from './lan';
export * from './pool';
