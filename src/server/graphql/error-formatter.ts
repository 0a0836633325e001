/**
 * Maps GraphQL errors onto the catalogue once: every error gets `extensions.code`, and a
 * request that fails before execution (syntax, validation, depth, complexity, bad
 * variables) is a 400 whose JSON body also carries the uniform `error: { code, message }`.
 */
import mercurius from 'mercurius';
import type { ExecutionResult } from 'graphql';

interface JsonError {
  message: string;
  path?: unknown;
  extensions?: Record<string, unknown>;
  [k: string]: unknown;
}

/** Catalogue code for an error the resolvers or mercurius produced without one. */
export function classifyGraphqlError(e: JsonError, requestError: boolean): string {
  const code = e.extensions?.code;
  if (typeof code === 'string' && code.startsWith('PT_')) return code;
  if (e.message.startsWith('Syntax Error')) return 'PT_GRAPHQL_SYNTAX';
  if (/query depth/i.test(e.message)) return 'PT_GRAPHQL_TOO_DEEP';
  if (requestError) return 'PT_GRAPHQL_INVALID';
  return typeof code === 'string' ? code : 'PT_INTERNAL';
}

type Formatter = NonNullable<mercurius.MercuriusCommonOptions['errorFormatter']>;

/** mercurius `errorFormatter`. */
export const errorFormatter: Formatter = (execution, ctx) => {
  const base = mercurius.defaultErrorFormatter(execution, ctx);
  const raw = (base.response.errors ?? []) as unknown as JsonError[];
  const hasData = execution.data !== undefined && execution.data !== null;
  // No data and no error located in the result tree: the request itself was bad.
  const requestError = !hasData && raw.length > 0 && raw.every((e) => e.path === undefined);
  const errors = raw.map((e) => ({ ...e, extensions: { ...e.extensions, code: classifyGraphqlError(e, requestError) } }));
  const response: ExecutionResult & { error?: { code: string; message: string } } = {
    data: base.response.data ?? null,
    errors: errors as unknown as ExecutionResult['errors'],
  };
  let statusCode = base.statusCode;
  if (requestError) {
    // Internal failures stay 500; everything else before execution is the client's input.
    const first = errors[0] as JsonError & { extensions: { code: string } };
    statusCode = statusCode >= 500 ? statusCode : 400;
    response.error = { code: first.extensions.code, message: first.message };
  }
  return { statusCode, response };
};
