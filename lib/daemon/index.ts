export * from './daemon-config';
export * from './daemon-keys';
export * from './daemon-rules';
export * from './daemon-settings';
