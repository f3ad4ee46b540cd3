// CONTRACT STUB (to be replaced by the nginx/redis work): the typed inputs of the generated redis.conf.

export interface RedisConfOptions {
  /** Port the server listens on. Default 6379. */
  port?: number;
  /** Data directory (the PVC mount). Default "/data". */
  dataDir?: string;
  /** maxmemory, e.g. "256mb". Default "256mb". */
  maxmemory?: string;
  /** Eviction policy. Default "noeviction" (state, not cache: fail writes loudly rather than drop keys). */
  maxmemoryPolicy?: "noeviction" | "allkeys-lru" | "volatile-lru" | "allkeys-lfu" | "volatile-lfu";
}

export const REDIS_DEFAULT_PORT = 6379;
export const REDIS_DEFAULT_DATA_DIR = "/data";

/** redis.conf text. Never contains the password: that reaches the server as `--requirepass` from a Secret (L19). */
export function renderRedisConf(_opts: RedisConfOptions): string {
  throw new Error("renderRedisConf: not implemented yet");
}
