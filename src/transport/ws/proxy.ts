import { WSOptionError } from './errors.js';

/**
 * A node:http `Agent` (for example an `HttpsProxyAgent`), typed structurally so that the public
 * declarations need no @types/node. The client hands it to node:http(s) for endpoint discovery
 * and to `ws` for the WebSocket upgrade.
 */
export interface HttpAgentLike {
  destroy(): void;
}

/**
 * How the client reaches the platform through an HTTP(S) proxy: `'env'` honours HTTPS_PROXY /
 * HTTP_PROXY (and ALL_PROXY) with NO_PROXY, read at each connect; a URL names the proxy itself.
 */
export type ProxyOption = 'env' | string | URL;

export interface ProxyOptions {
  readonly agent?: HttpAgentLike | undefined;
  readonly proxy?: ProxyOption | undefined;
}

/** The proxy environment lookup treats ws: like http: and wss: like https: (HTTP_PROXY, HTTPS_PROXY). */
function lookupUrl(url: string): string {
  return url.replace(/^ws(s?):/i, 'http$1:');
}

/**
 * Picks the agent for each outgoing connection: the caller's own, one tunnelling through a proxy
 * with CONNECT (https-proxy-agent, loaded only when a proxy is configured, one per proxy URL), or
 * none (a direct connection).
 */
export class ProxyAgents {
  private readonly agent: HttpAgentLike | undefined;
  private readonly proxy: string | undefined;
  private readonly created = new Map<string, HttpAgentLike>();

  constructor(options: ProxyOptions) {
    if (options.agent !== undefined && options.proxy !== undefined) throw new WSOptionError('proxy', 'WSClient: give either agent or proxy, not both');
    if (options.agent !== undefined && (typeof options.agent !== 'object' || options.agent === null)) throw new WSOptionError('agent', 'WSClient: agent must be an http.Agent');
    this.agent = options.agent;
    if (options.proxy !== undefined && options.proxy !== 'env') {
      const text = String(options.proxy);
      let parsed: URL;
      try {
        parsed = new URL(text);
      } catch {
        throw new WSOptionError('proxy', `WSClient: proxy must be 'env' or a proxy URL such as http://127.0.0.1:3128, got ${JSON.stringify(text)}`);
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new WSOptionError('proxy', `WSClient: proxy URL must be http: or https:, got ${parsed.protocol}`);
      this.proxy = parsed.href;
    } else {
      this.proxy = options.proxy;
    }
  }

  /** The agent for a connection to `url`, or undefined for a direct one. */
  async agentFor(url: string): Promise<HttpAgentLike | undefined> {
    if (this.agent !== undefined) return this.agent;
    if (this.proxy === undefined) return undefined;
    let proxyUrl = this.proxy;
    if (proxyUrl === 'env') {
      const { getProxyForUrl } = await import('proxy-from-env');
      proxyUrl = getProxyForUrl(lookupUrl(url));
      if (proxyUrl === '') return undefined;
    }
    let agent = this.created.get(proxyUrl);
    if (!agent) {
      const { HttpsProxyAgent } = await import('https-proxy-agent');
      agent = new HttpsProxyAgent(proxyUrl, { keepAlive: false });
      this.created.set(proxyUrl, agent);
    }
    return agent;
  }

  /** Destroys the agents this object created (never the caller's own). */
  destroy(): void {
    for (const agent of this.created.values()) agent.destroy();
    this.created.clear();
  }
}
