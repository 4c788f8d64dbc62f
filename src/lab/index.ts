/** Chart and report building blocks of the activation lab (no engine needed). */
export * from './errors.js';
export * from './svg.js';
export * from './html-page.js';
