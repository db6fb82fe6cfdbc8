/**
 * GET through a given http.Agent (a keep-alive one, say), keeping what the drain tests check:
 * the status, the Connection header and the body.
 */
import http from 'node:http';

/** AgentResponse is what getThrough returns. */
export interface AgentResponse {
  /** Status code. */
  status: number;
  /** The Connection header ('keep-alive', 'close', or 'undefined' when absent). */
  connection: string;
  /** The whole body. */
  body: Buffer;
}

/** getThrough GETs url through agent. */
export function getThrough(url: string, agent: http.Agent): Promise<AgentResponse> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: String(res.headers.connection), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}
