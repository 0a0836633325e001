/** GET a JSON document over a unix socket with undici, with a hard deadline. */
import { existsSync } from 'node:fs';
import { Client } from 'undici';

/** Response of {@link SocketHttp.getJson}: status and parsed body (undefined when not JSON). */
export interface JsonResponse {
  readonly status: number;
  readonly body: unknown;
}

/** One keep-alive HTTP client on a unix socket, created on first use. */
export class SocketHttp {
  #client: Client | undefined;

  constructor(
    readonly socketPath: string,
    readonly timeoutMs: number,
  ) {}

  /** Whether the socket file exists now. */
  available(): boolean {
    return existsSync(this.socketPath);
  }

  /** GET `path`; throws on connection errors and timeouts. Bodies over 4 MiB are refused. */
  async getJson(path: string): Promise<JsonResponse> {
    this.#client ??= new Client('http://localhost', {
      socketPath: this.socketPath,
      connectTimeout: this.timeoutMs,
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
    });
    const res = await this.#client.request({ method: 'GET', path, signal: AbortSignal.timeout(this.timeoutMs) });
    const len = Number(res.headers['content-length'] ?? 0);
    if (len > 4 << 20) {
      await res.body.dump();
      throw new Error(`${path}: response too large (${len} bytes)`);
    }
    const text = await res.body.text();
    let body: unknown;
    try {
      body = text.length === 0 ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, body };
  }

  /** Close the connection (pending requests fail). */
  async close(): Promise<void> {
    const c = this.#client;
    this.#client = undefined;
    if (c !== undefined) await c.destroy().catch(() => undefined);
  }
}

/** A plain object, or undefined. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** A string, or undefined. */
export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** A string→string map (other values dropped), or undefined. */
export function strMap(v: unknown): Record<string, string> | undefined {
  const o = obj(v);
  if (o === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(o)) if (typeof x === 'string') out[k] = x;
  return out;
}
