/**
 * Keep-alive connections to origins. A socket is reused only by a later request under the same
 * proxy configuration and the same admission (open, allowHosts or signature), for the same
 * protocol, host and port: its address passed that very policy when it was connected, so reusing
 * it asks nothing the policy would not allow again, and it skips no check a new connection would
 * make (a reused socket does no DNS lookup, so a rebinding name cannot move it).
 */
import http from 'node:http';
import https from 'node:https';
import type { ProxyConfig } from '../config.js';
import type { Admission } from '../security/policy.js';

/**
 * ORIGIN_IDLE_TIMEOUT_MS is how long an idle origin socket is kept: under the 5 s keep-alive
 * timeout of Node's own server (and nginx's 75 s), so the origin is rarely the side that closes.
 */
export const ORIGIN_IDLE_TIMEOUT_MS = 4000;

/** agents keeps the agents of each configuration: one per protocol and admission. */
const agents = new WeakMap<ProxyConfig, Map<string, http.Agent>>();

/**
 * originAgent is the keep-alive agent for a request to url under config and admission, or false
 * (a socket of its own) when config.originIdleConns is 0.
 */
export function originAgent(url: URL, config: ProxyConfig, admission: Admission): http.Agent | false {
  const idle = config.originIdleConns;
  if (!(idle > 0)) return false;
  let byKey = agents.get(config);
  if (!byKey) agents.set(config, (byKey = new Map()));
  const key = `${url.protocol}${admission}`;
  let agent = byKey.get(key);
  if (!agent) {
    const opts = { keepAlive: true, maxFreeSockets: idle, timeout: ORIGIN_IDLE_TIMEOUT_MS, scheduling: 'lifo' as const };
    agent = url.protocol === 'https:' ? new https.Agent(opts) : new http.Agent(opts);
    byKey.set(key, agent);
  }
  return agent;
}

/** closeOriginAgents drops every idle origin socket of config (on shutdown, so the process can exit). */
export function closeOriginAgents(config: ProxyConfig): void {
  for (const a of agents.get(config)?.values() ?? []) a.destroy();
  agents.delete(config);
}
