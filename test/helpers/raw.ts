/**
 * A bare-socket HTTP client for tests that must decide when each byte of a request is sent:
 * slow clients, requests whose headers are still arriving during a shutdown, idle keep-alive
 * connections. It records what the server wrote and when the connection ended.
 */
import net from 'node:net';

/** RawTarget is where a RawClient connects: a TCP port on 127.0.0.1, or a unix socket. */
export type RawTarget = { port: number } | { path: string };

/** Ended is how a raw connection ended: after how long, with what bytes, and whether it was reset. */
export interface Ended {
  /** Milliseconds from connect to close. */
  afterMs: number;
  /** Everything the server wrote, as latin1 text. */
  data: string;
  /** The socket error code (e.g. ECONNRESET), if the connection ended with one. */
  error?: string;
}

/** RawResponse is one HTTP response parsed from the bytes a server wrote. */
export interface RawResponse {
  /** Status code. */
  status: number;
  /** Headers, lower-case names. */
  headers: Record<string, string>;
  /** Body (by Content-Length; what is there when there is none). */
  body: string;
}

/** RawClient is a connected bare socket. */
export interface RawClient {
  /** The socket. */
  socket: net.Socket;
  /** write sends text as latin1 and resolves once it is handed to the kernel. */
  write(text: string): Promise<void>;
  /** received is everything the server wrote so far. */
  received(): string;
  /** ended resolves when the connection closes, for whatever reason. */
  ended: Promise<Ended>;
  /**
   * whenResponses resolves once `n` complete responses arrived, or the connection ended first;
   * it rejects after timeoutMs (default 15 s) so a hung server fails the test instead of stalling it.
   */
  whenResponses(n: number, timeoutMs?: number): Promise<RawResponse[]>;
}

/** rawConnect opens a bare connection to target. */
export function rawConnect(target: RawTarget): Promise<RawClient> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = 'port' in target ? net.connect(target.port, '127.0.0.1') : net.connect(target.path);
    let data = '';
    let error: string | undefined;
    const waiters: Array<() => void> = [];
    const wake = (): void => {
      for (const w of waiters.splice(0)) w();
    };
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
      wake();
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      error = err.code ?? err.message;
    });
    const ended = new Promise<Ended>((res) => socket.once('close', () => {
      res({ afterMs: Date.now() - started, data, error });
      wake();
    }));
    const client: RawClient = {
      socket,
      write: (text) => new Promise<void>((res, rej) => socket.write(text, 'latin1', (err) => (err ? rej(err) : res()))),
      received: () => data,
      ended,
      async whenResponses(n, timeoutMs = 15_000) {
        const deadline = Date.now() + timeoutMs;
        let need = 0;
        let got: RawResponse[] = [];
        for (;;) {
          if (data.length >= need || socket.destroyed) ({ responses: got, need } = parse(data));
          if (got.length >= n || socket.destroyed) return got;
          const left = deadline - Date.now();
          if (left <= 0) throw new Error(`no ${n} responses within ${timeoutMs} ms; received ${data.length} bytes: ${JSON.stringify(data.slice(0, 300))}`);
          await new Promise<void>((res) => {
            const t = setTimeout(res, left);
            waiters.push(() => {
              clearTimeout(t);
              res();
            });
          });
        }
      },
    };
    socket.once('connect', () => resolve(client));
    socket.once('error', reject);
  });
}

/** parseResponses parses the complete HTTP responses at the start of text (an incomplete one is left out). */
export function parseResponses(text: string): RawResponse[] {
  return parse(text).responses;
}

/**
 * parse parses the complete responses at the start of text, and says how long text must grow
 * before parsing again can find more (so polling a large body as it arrives stays cheap).
 */
function parse(text: string): { responses: RawResponse[]; need: number } {
  const responses: RawResponse[] = [];
  let at = 0;
  for (;;) {
    const end = text.indexOf('\r\n\r\n', at);
    if (end < 0) return { responses, need: text.length + 1 };
    const [statusLine, ...lines] = text.slice(at, end).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
    if (!m) return { responses, need: Infinity };
    const headers: Record<string, string> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = headers['content-length'] === undefined ? 0 : Number(headers['content-length']);
    const bodyStart = end + 4;
    if (text.length < bodyStart + length) return { responses, need: bodyStart + length };
    responses.push({ status: Number(m[1]), headers, body: text.slice(bodyStart, bodyStart + length) });
    at = bodyStart + length;
  }
}

/** drip writes text one byte every intervalMs until it is all sent or the socket closes. */
export async function drip(client: RawClient, text: string, intervalMs: number): Promise<void> {
  for (const ch of text) {
    if (client.socket.destroyed) return;
    try {
      await client.write(ch);
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
