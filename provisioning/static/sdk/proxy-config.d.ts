/**
 * Types of GET /api/v1/sdk/proxy-config and of the reference client in proxy-config.js.
 * Dependency-free: the Agora objects are structurally the SDK's TurnServerConfig.
 */

export type ProxyMode = "auto" | "udp" | "tcp";

export interface PortRange {
  start: number;
  end: number;
}

export interface ProxyServer {
  address: string;
  /** The pool's region code (e.g. "cn-east"), or "domestic" | "overseas" | "global". */
  region: string;
  isp: string | null;
  role: "proxy" | "edge";
  tls_hostname: string | null;
  tcp_ports: PortRange[];
  udp_ports: PortRange[];
}

export interface IceServer {
  urls: string[];
  username: string;
  credential: string;
}

/** agora-rtc-sdk-ng's TurnServerConfig, for client.setTurnServer(). */
export interface AgoraTurnServer {
  turnServerURL: string;
  udpport?: number;
  tcpport?: number;
  security?: boolean;
  username: string;
  password: string;
  forceturn: boolean;
}

export interface AgoraArguments {
  /** Whether to call client.startProxyServer(proxy_mode) before join(). */
  start_proxy_server: boolean;
  /** 3 (force UDP) or 5 (force TCP/TLS 443); null in auto mode. */
  proxy_mode: 3 | 5 | null;
  note: string;
  turn_servers: AgoraTurnServer[];
}

export interface ProxyConfigResponse {
  app_id: string;
  environment: "test" | "production";
  version: string;
  mode: ProxyMode;
  sdk_mode: 3 | 5 | null;
  servers: ProxyServer[];
  ice_servers: IceServer[];
  agora: AgoraArguments;
  /** A newer rules version whose addresses SDKs don't get yet (null: none pending). */
  pending_version: string | null;
  /** When pending_version reaches SDKs unless the customer acknowledges it sooner. */
  effective_at: string | null;
  ttl: number;
  expires_at: string;
}

export interface ProxyConfigOptions {
  /** The service's origin, e.g. "https://proxy.example.com" (default: this page's). */
  baseUrl?: string;
  appId: string;
  mode?: ProxyMode;
  /** Returns an app token (from the customer's token server); omit when none is needed. */
  getToken?: () => string | Promise<string>;
  /** Put this region's servers first (ICE servers and Agora TURN servers). */
  preferRegion?: string;
  /** Seconds before the TURN credentials expire at which to fetch new ones (default 300). */
  refreshMargin?: number;
  /** Called with every new config after a refresh. */
  onUpdate?: (config: ProxyConfigResponse) => void;
  /** Called when a background refresh fails (the previous config stays). */
  onError?: (error: ProxyConfigError) => void;
  fetch?: typeof fetch;
}

export declare class ProxyConfigError extends Error {
  /** The service's error code (e.g. "token_invalid"), or "network" / "throttled". */
  code: string;
  status: number;
  /** Seconds to wait, from Retry-After (429 and 503), else null. */
  retryAfter: number | null;
}

export declare class ProxyConfigClient {
  constructor(options: ProxyConfigOptions);
  /** The current config: fetched (or revalidated with its ETag) when it is near expiry. */
  get(): Promise<ProxyConfigResponse>;
  /** Ask the service now, sending the ETag: a 304 keeps the current config. */
  revalidate(): Promise<ProxyConfigResponse>;
  /** Pass to new RTCPeerConnection({iceServers}). */
  iceServers(): Promise<IceServer[]>;
  /** Arguments for agora-rtc-sdk-ng: setTurnServer(turnServer), startProxyServer(mode). */
  agoraArguments(): Promise<{
    startProxyServer: boolean;
    mode: 3 | 5 | null;
    turnServer: AgoraTurnServer | null;
    turnServers: AgoraTurnServer[];
  }>;
  /** Keep the credentials fresh in the background until stop(). */
  start(): Promise<ProxyConfigResponse>;
  stop(): void;
  /** Count of answers: 200s, 304s. */
  readonly stats: { fetched: number; notModified: number };
}

export declare function fetchProxyConfig(options: ProxyConfigOptions): Promise<ProxyConfigResponse>;
