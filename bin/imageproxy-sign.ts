#!/usr/bin/env node
/**
 * The imageproxy-sign command: prints the signature for a proxy URL
 * (`http://host/400x400,q40/https://...`) or for a remote URL with options in its fragment
 * (`https://example.com/a.jpg#400x400,q40`), as the Go imageproxy-sign tool computes it.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseRequest } from '../lib/request/request.js';
import { signURL } from '../lib/request/signature.js';
import { parseOptions } from '../lib/request/options.js';
import { fromByteString, goEscapedPath, goParse, goString, toByteString } from '../lib/request/gourl.js';
import { UsageError, readSignatureKey } from './flags.js';

/** signUsage is the help text of imageproxy-sign. */
export function signUsage(): string {
  return [
    'Usage: imageproxy-sign [-key KEY | -key @FILE] [-url] URL',
    '',
    'Prints the signature (base64url HMAC-SHA256) for URL, which is either a proxy URL',
    '(http://localhost:8080/400x400,q40/https://example.com/a.jpg) or a remote URL with the options',
    'in its fragment (https://example.com/a.jpg#400x400,q40). Any signature already in the options',
    'is ignored.',
    '',
    '  -key string   signing key, or @file to read it from a file (default: $IMAGEPROXY_SIGNATUREKEY)',
    '  -url          sign the remote URL only, without the options',
  ].join('\n');
}

interface SignArgs {
  key?: string;
  urlOnly: boolean;
  help: boolean;
  url?: string;
}

function parseSignArgs(argv: string[]): SignArgs {
  const out: SignArgs = { urlOnly: false, help: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    const m = /^--?([^-=][^=]*)(?:=([\s\S]*))?$/.exec(arg);
    if (!m) {
      positional.push(arg);
      continue;
    }
    const name = m[1].toLowerCase();
    if (name === 'key') {
      if (m[2] !== undefined) out.key = m[2];
      else if (i + 1 < argv.length) out.key = argv[++i];
      else throw new UsageError('flag -key needs a value');
    } else if (name === 'url' || name === 'h' || name === 'help') {
      let v = true;
      if (m[2] !== undefined || argv[i + 1] === 'true' || argv[i + 1] === 'false') {
        const s = m[2] ?? argv[++i];
        if (s !== 'true' && s !== 'false') throw new UsageError(`flag -${name}: invalid boolean ${JSON.stringify(s)}`);
        v = s === 'true';
      }
      if (name === 'url') out.urlOnly = v;
      else out.help = v;
    } else {
      throw new UsageError(`unknown flag ${JSON.stringify(arg.split('=')[0])}`);
    }
  }
  if (positional.length > 1) throw new UsageError('give exactly one URL');
  out.url = positional[0];
  return out;
}

/**
 * signatureFor returns the signature of url (a proxy URL, or a remote URL with options in the
 * fragment) under key; with urlOnly the options are left out. Throws UsageError for a bad URL.
 */
export function signatureFor(key: Buffer, url: string, urlOnly: boolean): string {
  let proxy;
  try {
    proxy = goParse(toByteString(url));
  } catch {
    throw new UsageError(`cannot parse URL ${JSON.stringify(url)}`);
  }
  // First, as the Go tool does, try the URL as a proxy request.
  const pathAndQuery = goEscapedPath(proxy) + (proxy.rawQuery !== '' ? `?${proxy.rawQuery}` : '');
  if (pathAndQuery.startsWith('/')) {
    try {
      const req = parseRequest(fromByteString(pathAndQuery) ?? '');
      return urlOnly ? signURL(key, req.remoteBase) : signURL(key, req.remoteBase, req.options);
    } catch {
      // not a proxy URL: fall through
    }
  }
  // Otherwise it is the remote URL itself, with options (if any) in the fragment. The Go tool also
  // signs a bare path that way ("/" signs "/#0x0"), so a path with no scheme and host is kept too.
  const barePath = proxy.scheme === '' && proxy.host === '' && proxy.opaque === '' && url.startsWith('/');
  if (proxy.scheme !== 'http' && proxy.scheme !== 'https' && !barePath) {
    throw new UsageError(`${JSON.stringify(url)} is neither a proxy URL nor an http(s) remote URL`);
  }
  const options = parseOptions(fromByteString(proxy.fragment) ?? '');
  const remote = fromByteString(goString({ ...proxy, fragment: '', rawFragment: '' }));
  if (remote === undefined) throw new UsageError('the URL is not valid UTF-8');
  return urlOnly ? signURL(key, remote) : signURL(key, remote, options);
}

/**
 * signCommand runs imageproxy-sign with argv (without node and script) and env, and returns what
 * it prints: the signature, or the usage text for -help. Throws UsageError on bad input.
 */
export function signCommand(argv: string[], env: Record<string, string | undefined>): string {
  const args = parseSignArgs(argv);
  if (args.help) return signUsage();
  if (args.url === undefined || args.url === '') throw new UsageError('give the URL to sign');
  // The environment may hold several space-separated keys, as the server accepts; sign with the first.
  const spec = args.key ?? (env.IMAGEPROXY_SIGNATUREKEY ?? '').split(/\s+/).find((k) => k !== '');
  if (spec === undefined || spec === '') throw new UsageError('give a key with -key or IMAGEPROXY_SIGNATUREKEY');
  const key = readSignatureKey(spec, args.key !== undefined ? 'flag -key' : 'IMAGEPROXY_SIGNATUREKEY');
  return signatureFor(key, args.url, args.urlOnly);
}

function main(): void {
  try {
    process.stdout.write(`${signCommand(process.argv.slice(2), process.env)}\n`);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`imageproxy-sign: ${err.message}\n\n${signUsage()}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

const invoked = process.argv[1] !== undefined && (() => {
  try {
    return pathToFileURL(realpathSync(process.argv[1])).href === import.meta.url;
  } catch {
    return false;
  }
})();
if (invoked) main();
