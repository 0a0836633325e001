/**
 * The one error catalogue: every error the API can answer with has a stable code, a
 * message template and an HTTP status. REST sends `{ error: { code, message } }`;
 * GraphQL puts the same code in `errors[].extensions.code`. Clients match on `code`,
 * never on the message.
 */
import createError from '@fastify/error';

/** Input failed JSON-schema validation (path, query or body). */
export const InvalidInput = createError('PT_INVALID_INPUT', 'Invalid input: %s', 400);
/** `at` (or another time) is neither RFC 3339 nor an epoch-ns integer. */
export const InvalidTime = createError(
  'PT_INVALID_TIME',
  'Invalid time in %s: %s (expected RFC 3339 with up to 9 fractional digits, or epoch nanoseconds)',
  400,
);
/** A pagination cursor that this server did not issue. */
export const InvalidCursor = createError('PT_INVALID_CURSOR', 'Invalid cursor', 400);
/** A malformed glob in a name filter. */
export const InvalidGlob = createError('PT_INVALID_GLOB', 'Invalid name glob: %s', 400);
/** No process with this pid (at that time) or key is known. */
export const ProcessNotFound = createError('PT_PROCESS_NOT_FOUND', 'No process %s', 404);
/** No thread with this tid at that time. */
export const ThreadNotFound = createError('PT_THREAD_NOT_FOUND', 'No thread %s', 404);
/** Not a DNS name (LDH labels, at most 253 characters) nor an IP address. */
export const InvalidDnsName = createError('PT_INVALID_DNS_NAME', 'Invalid DNS name: %s', 400);
/** Neither an IPv4/IPv6 address nor a full reverse name (`in-addr.arpa`/`ip6.arpa`). */
export const InvalidAddress = createError('PT_INVALID_ADDRESS', 'Invalid IP address: %s', 400);
/** Nothing was ever seen about this DNS name (by that time). */
export const DnsNameNotFound = createError('PT_DNS_NAME_NOT_FOUND', 'No DNS data for %s', 404);
/** No name ever resolved to this address (by that time). */
export const DnsAddressNotFound = createError('PT_DNS_ADDRESS_NOT_FOUND', 'No DNS name for address %s', 404);
/** No container with this id, id prefix or name (alive at that time, when `at` is given). */
export const ContainerNotFound = createError('PT_CONTAINER_NOT_FOUND', 'No container %s', 404);
/** A container id prefix that matches several containers; the message lists them. */
export const ContainerAmbiguous = createError('PT_CONTAINER_AMBIGUOUS', 'Ambiguous container prefix %s: matches %s', 409);
/** No cgroup with this id is known (live, dying or in history). */
export const CgroupNotFound = createError('PT_CGROUP_NOT_FOUND', 'No cgroup %s', 404);
/** Unknown route. */
export const RouteNotFound = createError('PT_ROUTE_NOT_FOUND', 'Route %s %s not found', 404);
/** GraphQL document does not parse. */
export const GraphqlSyntax = createError('PT_GRAPHQL_SYNTAX', '%s', 400);
/** GraphQL document fails validation (unknown field, bad argument, depth or complexity). */
export const GraphqlInvalid = createError('PT_GRAPHQL_INVALID', '%s', 400);
/** GraphQL query cost over the configured limit. */
export const GraphqlTooComplex = createError('PT_GRAPHQL_TOO_COMPLEX', 'Query complexity %s exceeds the limit of %s', 400);
/** GraphQL query nesting over the configured limit. */
export const GraphqlTooDeep = createError('PT_GRAPHQL_TOO_DEEP', '%s', 400);
/** The live-event subscriber limit is reached (GET /v1/events, GraphQL subscriptions). */
export const TooManySubscribers = createError('PT_TOO_MANY_SUBSCRIBERS', 'Too many live subscribers', 503);
/** Anything unexpected; details go to the log, not to the client. */
export const Internal = createError('PT_INTERNAL', 'Internal server error', 500);

/** The JSON body every REST error uses. */
export interface ErrorBody {
  error: { code: string; message: string };
}

/** Build the uniform error body. */
export function errorBody(code: string, message: string): ErrorBody {
  return { error: { code, message } };
}

/** Every code in the catalogue (documented in openapi.yaml). */
export const ERROR_CODES: readonly string[] = [
  InvalidInput,
  InvalidTime,
  InvalidCursor,
  InvalidGlob,
  ProcessNotFound,
  ThreadNotFound,
  InvalidDnsName,
  InvalidAddress,
  DnsNameNotFound,
  DnsAddressNotFound,
  ContainerNotFound,
  ContainerAmbiguous,
  CgroupNotFound,
  RouteNotFound,
  GraphqlSyntax,
  GraphqlInvalid,
  GraphqlTooComplex,
  GraphqlTooDeep,
  TooManySubscribers,
  Internal,
].map((E) => new E().code);
