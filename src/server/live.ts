/**
 * The live-event hub as seen by the server: `app.proctrailLive` (decorated by buildApp; an
 * idle hub when the app has no pipeline, so the schema and routes are the same everywhere).
 */
import type { LiveEvents } from '../service/live-events.js';

declare module 'fastify' {
  interface FastifyInstance {
    proctrailLive: LiveEvents;
  }
}

/** The part of a WebSocket the subscription code needs (ws's WebSocket). */
export interface LiveSocket {
  terminate(): void;
}
