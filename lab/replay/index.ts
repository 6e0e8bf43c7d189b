// Provider-exact replay: applies a synthesized cdk.tf.json to Docker engines through the Engine API,
// making the calls terraform-provider-docker v3.6.2 makes (the provider itself cannot be downloaded here).
// Mirrored from the provider's internal/provider/*.go at tag v3.6.2; function names are cited per step.
// Only the calls that change something are mirrored, plus the reads that decide success (image present,
// container running); the provider's other refresh reads do not change what the engine ends up with.
// Split by concern: client (Engine API and wire bodies), planner (the synth, in dependency order),
// bodies (request bodies, pure), executor (apply / destroy), refresh (the provider's Read and the second
// plan's diff, pure). Importers use this index.
export * from './client';
export * from './planner';
export * from './bodies';
export * from './executor';
export * from './refresh';
