/** The query layer's public surface (REST routes and GraphQL resolvers import from here). */
export * from './time.js';
export * from './process-view.js';
export * from './lineage.js';
export * from './dot.js';
export * from './glob.js';
export * from './cursor.js';
export * from './process-query.js';
export * from './container-view.js';
