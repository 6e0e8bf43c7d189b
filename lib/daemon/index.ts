export * from '../core/daemon/daemon-config';
export * from '../core/daemon/daemon-keys';
export * from './daemon-rules';
export * from './daemon-settings';
