// Who may talk to the browser-mode server: pure checks, each unit-tested. The server listens on
// 127.0.0.1 only; on top of that every request must name our host (DNS rebinding), come from our
// own origin when a browser says where it comes from, and carry a credential (credentials.ts).
export function allowedHosts(port: number): string[] {
  // Only the address we print and listen on: "localhost" may resolve to ::1, where another
  // user's process could be listening on the same port number.
  return [`127.0.0.1:${port}`];
}

export function isAllowedHost(host: string | undefined, port: number): boolean {
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

/** No Origin header (curl, a top-level page load) is allowed; a present one must be ours. */
export function isAllowedOrigin(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true;
  return allowedHosts(port).some((h) => origin.toLowerCase() === `http://${h}`);
}

/** `probe`: other ports the page may ask where Reverie went after a restart (server/where.ts). */
export function contentSecurityPolicy(port: number, probe: readonly number[] = []): string {
  const ws = [...allowedHosts(port).map((h) => `ws://${h}`), ...probe.filter((p) => p !== port).map((p) => `http://127.0.0.1:${p}`)].join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export function securityHeaders(port: number, probe: readonly number[] = []): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(port, probe),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}
