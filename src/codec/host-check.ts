// DNS rebinding: a web page at http://evil.example:8888 whose name is re-pointed at 127.0.0.1 reaches a local server
// with the browser's blessing, but its requests still say `Host: evil.example:8888`. A server that answers only to
// names a page cannot be served from — loopback names, IP literals (a page at an IP is that server's own origin),
// and the names it was told — cannot be read that way.
import { isIP } from 'node:net';

/** Whether the server's listen address is loopback only (no other machine can connect). */
export function isLoopbackHost(host: string): boolean {
  const name = bare(host);
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) === 4) return name.startsWith('127.');
  return name === '::1' || /^::ffff:127\./.test(name);
}

/** Whether a request's Host header names this server: loopback, an IP address, or one of `names`. */
export function hostAllowed(header: string | undefined, names: readonly string[]): boolean {
  if (!header) return false;
  const name = bare(withoutPort(header));
  if (name === '') return false;
  if (isLoopbackHost(name) || isIP(name) !== 0) return true;
  return names.some((allowed) => bare(allowed) === name);
}

/** `host:port`, `[v6]:port` or `[v6]` → the host part. */
function withoutPort(header: string): string {
  const value = header.trim();
  if (value.startsWith('[')) return value.slice(1, value.indexOf(']') === -1 ? undefined : value.indexOf(']'));
  const colon = value.lastIndexOf(':');
  // More than one colon without brackets is a bare IPv6 address, which has no port.
  return colon !== -1 && value.indexOf(':') === colon ? value.slice(0, colon) : value;
}

/** Lowercase, without brackets or a final dot (`Localhost.` is `localhost`). */
function bare(host: string): string {
  return host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '');
}
