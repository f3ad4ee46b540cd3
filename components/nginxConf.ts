// CONTRACT STUB (to be replaced by the nginx/redis work): the typed inputs of the generated nginx.conf.

/** How nginx sends requests to the API. */
export type ApiRouting =
  /** Every path that is not a static file falls back to the API (default; L04: nothing is forgotten). */
  | { mode: "fallback" }
  /** Exactly these declared API route prefixes/paths go to the API; everything else is static. */
  | { mode: "routes"; routes: string[] };

export interface NginxConfOptions {
  /** Port nginx listens on. Default 8080 (non-root, L02). */
  listenPort?: number;
  /** API upstream as "host:port", e.g. "web-api.qr-demo-dev.svc:5000". Required. */
  apiUpstream: string;
  /** How API requests are routed. Default `{ mode: "fallback" }`. */
  apiRouting?: ApiRouting;
  /** Server-Sent Events paths proxied unbuffered (L11). Default ["/events"]. */
  ssePaths?: string[];
  /** Origins allowed for CORS; preflight answered 204 only for these (L25). Default [] (no CORS). */
  corsOrigins?: string[];
  /** Version header added to every response (L24). Default name "X-Webstack-Version"; no header when value is unset. */
  versionHeader?: { name?: string; value: string };
  /** nginx's own health endpoint for probes, never proxied. Default "/_webstack/healthz". */
  healthPath?: string;
  /** Document root. Default "/usr/share/nginx/html". */
  contentRoot?: string;
  /** Writable directory for pid and temp paths. Default "/tmp" (L02). */
  tempDir?: string;
}

export const NGINX_DEFAULT_PORT = 8080;
export const NGINX_DEFAULT_HEALTH_PATH = "/_webstack/healthz";

export function renderNginxConf(_opts: NginxConfOptions): string {
  throw new Error("renderNginxConf: not implemented yet");
}
