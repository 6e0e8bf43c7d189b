export * from './target';
export * from './daemon-rollout';
export * from './swarm-bootstrap';
export * from './macvlan-shim';
export * from './host-bootstrap';
export * from './waves';
export { remoteProgram, RUN_DIR } from './remote';
