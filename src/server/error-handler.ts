/**
 * Maps every error to the catalogue's JSON body once, for all REST routes:
 * schema validation → PT_INVALID_INPUT 400, catalogue errors → their status,
 * other client errors (bad JSON body, too large) → their status, anything else → 500.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errorBody, Internal, RouteNotFound } from './errors.js';

/** Status and body for an error thrown by a route. */
export function toErrorReply(err: FastifyError): { status: number; body: ReturnType<typeof errorBody> } {
  if (err.validation !== undefined) {
    return { status: 400, body: errorBody('PT_INVALID_INPUT', err.message) };
  }
  const status = typeof err.statusCode === 'number' ? err.statusCode : 500;
  if (status >= 400 && status < 500) {
    return { status, body: errorBody(typeof err.code === 'string' ? err.code : 'PT_INVALID_INPUT', err.message) };
  }
  const internal = new Internal();
  return { status: 500, body: errorBody(internal.code, internal.message) };
}

/** Installs the error and not-found handlers on the root instance. */
export const errorHandlerPlugin = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err: FastifyError, req, reply) => {
      const { status, body } = toErrorReply(err);
      if (status >= 500) req.log.error({ err }, 'request failed');
      return reply.code(status).type('application/json; charset=utf-8').send(body);
    });
    app.setNotFoundHandler((req, reply) => {
      const err = new RouteNotFound(req.method, req.url.split('?')[0]);
      return reply.code(404).send(errorBody(err.code, err.message));
    });
  },
  { name: 'proctrail-errors' },
);
