/**
 * Error classes: every failure the proxy reports carries an HTTP status and a stable code.
 *
 * Messages are one plain sentence meant for the client; anything longer goes to the log.
 */

/** ProxyError is the base class of every error the proxy answers with. */
export class ProxyError extends Error {
  /** HTTP status the client receives. */
  readonly status: number;
  /** Stable machine-readable code, e.g. `bad_url`. */
  readonly code: string;
  /** Extra response headers (e.g. Retry-After). */
  readonly headers: Record<string, string>;
  /**
   * Technical detail for the log (a library's own error text); never sent to the client, whose
   * message stays one plain sentence.
   */
  detail?: string;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** BadRequestError is a malformed proxy request (400). */
export class BadRequestError extends ProxyError {
  constructor(message: string, code = 'bad_request') {
    super(400, code, message);
  }
}

/** ForbiddenError is a request refused by policy: host lists, signature, expiry, private network (403). */
export class ForbiddenError extends ProxyError {
  constructor(message: string, code = 'forbidden') {
    super(403, code, message);
  }
}

/** NotFoundError is an origin that answered 404 (404). */
export class NotFoundError extends ProxyError {
  constructor(message = 'The remote image was not found.') {
    super(404, 'not_found', message);
  }
}

/** TooLargeError is a source body larger than the configured limit (413). */
export class TooLargeError extends ProxyError {
  constructor(message: string, code = 'source_too_large') {
    super(413, code, message);
  }
}

/** UnsupportedMediaError is a response whose content type is not allowed (415). */
export class UnsupportedMediaError extends ProxyError {
  constructor(message: string, code = 'content_type') {
    super(415, code, message);
  }
}

/** UnprocessableImageError is an image we will not decode: corrupt, truncated or too large (422). */
export class UnprocessableImageError extends ProxyError {
  constructor(message: string, code = 'bad_image') {
    super(422, code, message);
  }
}

/** BadGatewayError is an origin that failed: unreachable, reset, too many redirects (502). */
export class BadGatewayError extends ProxyError {
  constructor(message: string, code = 'bad_gateway') {
    super(502, code, message);
  }
}

/**
 * OverloadedError is a request shed because the transform queue is full (503). Its Retry-After
 * defaults to 1 s (the one place that default lives): transforms usually finish within a second.
 */
export class OverloadedError extends ProxyError {
  constructor(message = 'The server is busy; try again shortly.', retryAfterSeconds = 1) {
    super(503, 'overloaded', message, { 'Retry-After': String(retryAfterSeconds) });
  }
}

/** GatewayTimeoutError is a request that ran past its time limit (504). */
export class GatewayTimeoutError extends ProxyError {
  constructor(message = 'The remote server took too long to answer.') {
    super(504, 'timeout', message);
  }
}

/**
 * WorkerStartError is a transform the server could not run because its worker threads fail to
 * start (500): a broken install or runtime, not a busy server and not a bad image, so it is
 * neither a 503 a client would retry nor a 422 blaming the image.
 */
export class WorkerStartError extends ProxyError {
  constructor(message = 'The server could not start its image workers.') {
    super(500, 'worker_start_failed', message);
  }
}

/** OriginStatusError passes a non-2xx origin status through to the client. */
export class OriginStatusError extends ProxyError {
  constructor(status: number) {
    super(status, 'origin_status', `The remote server answered with status ${status}.`);
  }
}

/** isProxyError reports whether err is a ProxyError. */
export function isProxyError(err: unknown): err is ProxyError {
  return err instanceof ProxyError;
}
