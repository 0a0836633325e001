/** REST: /v1/dns/{name} and /v1/dns/reverse/{ip}. Thin: parse, call the query layer, shape. */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { atOrThrow } from '../context.js';
import { DnsAddressNotFound, DnsNameNotFound, InvalidAddress, InvalidDnsName } from '../errors.js';
import { formatBoot } from '../../query/index.js';
import * as S from './schemas.js';
import * as D from './dns-schemas.js';

interface Req<P extends string> {
  Params: Record<P, string>;
  Querystring: { at?: string };
}

const param = (name: string) =>
  ({ type: 'object', required: [name], properties: { [name]: { type: 'string', minLength: 1, maxLength: 254 } } }) as const;

/** Route plugin for /v1/dns. */
export const dnsRoutes: FastifyPluginAsync = async (app: FastifyInstance) => {
  const ctx = app.proctrail;

  app.get<Req<'ip'>>(
    '/v1/dns/reverse/:ip',
    { schema: { params: param('ip'), querystring: S.atQuery, response: { 200: D.dnsReverse, ...S.errorResponses } } },
    async (req) => {
      const at = atOrThrow(ctx, req.query.at);
      const r = ctx.dns.reverse(req.params.ip, at);
      if (r === 'bad-address') throw new InvalidAddress(req.params.ip);
      if (r === undefined) throw new DnsAddressNotFound(`${req.params.ip} at or before ${formatBoot(ctx.clock, at)}`);
      return r;
    },
  );

  app.get<Req<'name'>>(
    '/v1/dns/:name',
    { schema: { params: param('name'), querystring: S.atQuery, response: { 200: D.dnsLookup, ...S.errorResponses } } },
    async (req) => {
      const at = atOrThrow(ctx, req.query.at);
      const r = ctx.dns.lookup(req.params.name, at);
      if (r === 'bad-name') throw new InvalidDnsName(req.params.name);
      if (r === undefined) throw new DnsNameNotFound(`${req.params.name} at or before ${formatBoot(ctx.clock, at)}`);
      return r;
    },
  );
};
