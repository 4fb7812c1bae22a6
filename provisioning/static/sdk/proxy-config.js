// Reference client of GET /api/v1/sdk/proxy-config: a dependency-free ES module.
// Types: proxy-config.d.ts beside this file.

const PATH = "/api/v1/sdk/proxy-config";
const DEFAULT_REFRESH_MARGIN = 300; // seconds before the TURN credentials expire

export class ProxyConfigError extends Error {
  constructor(code, message, status = 0, retryAfter = null) {
    super(message);
    this.name = "ProxyConfigError";
    this.code = code;
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

function retryAfterSeconds(response) {
  const value = response.headers.get("Retry-After");
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

function preferred(list, region) {
  if (!region) return list;
  return [...list.filter((item) => item.region === region), ...list.filter((item) => item.region !== region)];
}

export class ProxyConfigClient {
  constructor(options) {
    if (!options || !options.appId) throw new TypeError("appId is required");
    this.options = { mode: "auto", refreshMargin: DEFAULT_REFRESH_MARGIN, ...options };
    this.config = null;
    this.etag = null;
    this.blockedUntil = 0;
    this.timer = null;
    this.stats = { fetched: 0, notModified: 0 };
  }

  url() {
    const base = this.options.baseUrl || (typeof location !== "undefined" ? location.origin : "");
    const url = new URL(PATH, base);
    url.searchParams.set("app_id", this.options.appId);
    url.searchParams.set("mode", this.options.mode);
    return url.toString();
  }

  expiresAt() {
    return this.config ? Date.parse(this.config.expires_at) : 0;
  }

  fresh() {
    const margin = this.options.refreshMargin * 1000;
    return this.config !== null && this.expiresAt() - margin > Date.now();
  }

  async request() {
    if (Date.now() < this.blockedUntil) {
      const wait = Math.ceil((this.blockedUntil - Date.now()) / 1000);
      throw new ProxyConfigError("throttled", `Retry after ${wait} s.`, 429, wait);
    }
    const headers = { Accept: "application/json" };
    if (this.options.getToken) headers.Authorization = `Bearer ${await this.options.getToken()}`;
    if (this.etag && this.config) headers["If-None-Match"] = this.etag;
    const fetcher = this.options.fetch || fetch;
    let response;
    try {
      // no-cache: always revalidate with the server, which answers 304 while unchanged.
      response = await fetcher(this.url(), { headers, cache: "no-cache", mode: "cors" });
    } catch (error) {
      throw new ProxyConfigError("network", `The proxy config could not be fetched: ${error}`);
    }
    return this.accept(response);
  }

  async accept(response) {
    if (response.status === 304 && this.config) {
      this.stats.notModified += 1;
      return this.config;
    }
    const retryAfter = retryAfterSeconds(response);
    if (retryAfter !== null && (response.status === 429 || response.status === 503)) {
      this.blockedUntil = Date.now() + retryAfter * 1000;
    }
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    if (!response.ok || body === null) {
      const code = (body && body.code) || `http_${response.status}`;
      const message = (body && body.message) || `The proxy config answered ${response.status}.`;
      throw new ProxyConfigError(code, message, response.status, retryAfter);
    }
    this.stats.fetched += 1;
    this.config = body;
    this.etag = response.headers.get("ETag");
    return body;
  }

  async get() {
    if (this.fresh()) return this.config;
    const previous = this.config;
    const config = await this.request();
    if (previous && config !== previous && this.options.onUpdate) this.options.onUpdate(config);
    return config;
  }

  /** Revalidate now (ETag), whatever the credentials' expiry: 304 keeps the config. */
  async revalidate() {
    return this.request();
  }

  async iceServers() {
    const config = await this.get();
    const tagged = config.ice_servers.map((ice, i) => ({ ice, region: this.iceRegion(config, i) }));
    return preferred(tagged, this.options.preferRegion).map((item) => item.ice);
  }

  iceRegion(config, index) {
    const host = (config.ice_servers[index].urls[0] || "").split(":")[1];
    const server = config.servers.find((s) => s.address === host || s.tls_hostname === host);
    return server ? server.region : null;
  }

  async agoraArguments() {
    const config = await this.get();
    const agora = config.agora;
    const regionOf = (turn) => {
      const server = config.servers.find(
        (s) => s.address === turn.turnServerURL || s.tls_hostname === turn.turnServerURL,
      );
      return server ? server.region : null;
    };
    const tagged = agora.turn_servers.map((turn) => ({ turn, region: regionOf(turn) }));
    const turnServers = preferred(tagged, this.options.preferRegion).map((item) => item.turn);
    return {
      startProxyServer: agora.start_proxy_server,
      mode: agora.proxy_mode,
      turnServer: turnServers[0] || null,
      turnServers,
    };
  }

  /** Fetch now and keep the credentials fresh in the background until stop(). */
  async start() {
    const config = await this.get();
    this.schedule();
    return config;
  }

  schedule() {
    this.stop();
    const margin = this.options.refreshMargin * 1000;
    const due = Math.max(1000, this.expiresAt() - margin - Date.now(), this.blockedUntil - Date.now());
    this.timer = setTimeout(async () => {
      try {
        await this.get();
      } catch (error) {
        if (this.options.onError) this.options.onError(error);
      }
      this.schedule();
    }, due);
  }

  stop() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}

export async function fetchProxyConfig(options) {
  return new ProxyConfigClient(options).get();
}
