// E-card QR credentials (电子社保卡 codes, tickets, reservations): layouts, signing, offline
// verification. docs/decisions/0060-qr-credentials.md explains the choices.
export * from './base45.js';
export * from './facts.js';
export * from './issue.js';
export * from './keys.js';
export * from './payload.js';
export * from './verify.js';
