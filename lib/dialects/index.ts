export * from './dialect.interface.js';
export { AFFILYNC, affilyncDialect } from './affilync.dialect.js';
export { CONVERTLY, convertlyDialect } from './convertly.dialect.js';
