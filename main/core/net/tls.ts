import type { BeforeRedirectHook, CheckServerIdentityFunction, HttpsOptions } from 'got';
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { CartageError } from '../errors.js';

/**
 * One certificate the person trusts for one source (a home server's self-signed one): only this
 * exact certificate, only for that source's requests. Stored with the source, shown as its
 * fingerprint.
 */
export interface PinnedCertificate {
  /** SHA-256 of the DER, as Node's X509Certificate.fingerprint256 writes it: 'AB:CD:...'. */
  fingerprint256: string;
  pem: string;
}

/** What a server presents, read without trusting it, for the person to decide on. */
export interface CertificateInfo {
  fingerprint256: string;
  pem: string;
  /** 'CN=home.local, O=...' */
  subject: string;
  issuer: string;
  /** ISO 8601. */
  validFrom: string;
  validTo: string;
  /** Signed by its own key: no authority vouches for it. */
  selfSigned: boolean;
  /** Verifies against the CAs this process trusts, for this host name (what an unpinned request needs). */
  trusted: boolean;
  /** Why it is not trusted (an OpenSSL or Node code such as DEPTH_ZERO_SELF_SIGNED_CERT), null when trusted. */
  problem: string | null;
}

/** The code a pinned connection fails with when the server presents another certificate. */
export const certificateChangedCode = 'ERR_CARTAGE_CERTIFICATE_CHANGED';

/** Errors of a certificate that is not trusted, as opposed to a server that does not answer. */
const untrustedCodes = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  certificateChangedCode,
]);

const defaultTimeoutMs = 10_000;

/** 'ab:cd..', 'ABCD..' or 'sha256 Fingerprint=AB:..' as 'AB:CD:..'; null when it is not a SHA-256 fingerprint. */
export function normalizeFingerprint(text: string): string | null {
  const hex = text.replace(/^.*=/, '').replace(/[\s:]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return null;
  return hex.match(/../g)!.join(':');
}

/** Where a certificate is read from: `proxy` is the http(s) proxy the requests to that server go through, '' for none. */
export interface CertificateReadOptions {
  timeoutMs?: number;
  proxy?: string;
}

/**
 * Reads the certificate a server presents, without trusting it and without sending a request: the
 * connection closes once the handshake is done. Through a proxy it asks for a CONNECT tunnel first,
 * as the requests do. Throws a CartageError for a server that cannot be reached or does not speak TLS.
 */
export async function fetchCertificate(url: string, options: CertificateReadOptions = {}): Promise<CertificateInfo> {
  const target = tlsTarget(url);
  const where = target.where;
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const through = options.proxy ? await tunnel(options.proxy, target, timeoutMs) : null;
  return await new Promise((resolve, reject) => {
    let settled = false;
    const socket = tls.connect({
      ...(through ? { socket: through } : { host: target.host, port: target.port }),
      ...(target.servername ? { servername: target.servername } : {}),
      // Read, not trust: what is shown here is only pinned once the person says so.
      rejectUnauthorized: false,
      ALPNProtocols: ['http/1.1'],
    });
    const finish = (result: CertificateInfo | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(
      () => finish(new CartageError('timeout', `${where} did not finish a TLS handshake within ${Math.round(timeoutMs / 1000)} s.`)),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      const cert = socket.getPeerX509Certificate();
      if (!cert) {
        finish(new CartageError('network', `${where} finished the TLS handshake without presenting a certificate.`));
        return;
      }
      finish(describe(cert, socket.authorized, socket.authorized ? null : String(socket.authorizationError ?? 'unknown')));
    });
    socket.once('error', (err) => finish(connectError(where, err)));
    socket.once('close', () =>
      finish(new CartageError('network', `${where} closed the connection before the TLS handshake was done.`)),
    );
  });
}

/**
 * Reads the server's certificate and pins it if its fingerprint is the one the person gave (read
 * off the server, or off the message of a refused download); anything else is refused.
 */
export async function pinCertificate(url: string, fingerprint: string, options: CertificateReadOptions = {}): Promise<PinnedCertificate> {
  const wanted = normalizeFingerprint(fingerprint);
  if (!wanted) {
    throw new CartageError('bad_input', `"${fingerprint.slice(0, 120)}" is not a SHA-256 fingerprint (32 pairs of hex digits, such as AB:CD:...).`);
  }
  const cert = await fetchCertificate(url, options);
  if (cert.fingerprint256 !== wanted) {
    const where = tlsTarget(url).where;
    throw new CartageError(
      'untrusted_certificate',
      `${where} presents a certificate with the SHA-256 fingerprint ${cert.fingerprint256}, not ${wanted}; it was not trusted. Check the fingerprint on the server.`,
      { details: { host: where, fingerprint256: cert.fingerprint256, reason: 'fingerprint_mismatch' } },
    );
  }
  return { fingerprint256: cert.fingerprint256, pem: cert.pem };
}

/** The checks that pinnedTls made, so a redirect can tell a pin from other https options. */
const pinChecks = new WeakSet<CheckServerIdentityFunction>();

/**
 * got's `https` options that trust exactly this certificate. It is the only trust anchor (not added
 * to the system's), so OpenSSL verifies the chain against it in the handshake, before a byte of
 * the request (and so of any credential) is written; expiry is checked there too, and an expired
 * certificate is refused, pinned or not. The host name is not checked (home servers are reached
 * by IP address or a local name their certificate does not list); the fingerprint is, so a
 * certificate signed by a pinned one is refused too. Node's https.Agent keys its socket pool by
 * `ca`, so pinned and unpinned connections never share a socket.
 */
export function pinnedTls(pin: PinnedCertificate): HttpsOptions {
  const wanted = normalizeFingerprint(pin.fingerprint256);
  let actual: string | null = null;
  try {
    actual = new X509Certificate(pin.pem).fingerprint256;
  } catch {
    // Reported below with the other mismatch.
  }
  if (!wanted || actual !== wanted) {
    throw new CartageError('bad_input', `The trusted certificate stored for this source is damaged (its fingerprint does not match it); trust the server's certificate again.`);
  }
  const checkServerIdentity: CheckServerIdentityFunction = (host, cert) => {
    if (cert.fingerprint256 === wanted) return undefined;
    const err: NodeJS.ErrnoException = new Error(
      `The certificate of ${host} changed: it is ${cert.fingerprint256}, but ${wanted} is the one trusted for this source.`,
    );
    err.code = certificateChangedCode;
    return err;
  };
  pinChecks.add(checkServerIdentity);
  return { rejectUnauthorized: true, certificateAuthority: pin.pem, checkServerIdentity };
}

/**
 * A redirect away from the pinned server's origin drops the pin: the next host is verified against
 * the system's CAs like any other, and a redirect back is not trusted again. Credentials are
 * handled by keepCredentialsHome.
 */
export const keepPinHome: BeforeRedirectHook = (options, response) => {
  const https = options.https;
  if (!https.checkServerIdentity || !pinChecks.has(https.checkServerIdentity)) return;
  const next = options.url instanceof URL ? options.url : new URL(String(options.url));
  if (next.origin === new URL(response.requestUrl).origin) return;
  options.https = { ...https, certificateAuthority: undefined, checkServerIdentity: undefined };
};

/**
 * For a request that failed on the server's certificate: an error that names the host, says why
 * the certificate is not trusted, gives its fingerprint and what to do (in `details` too:
 * host, fingerprint256, reason). Null for every other error. `pin` is what the request to `url`
 * was made with, if anything.
 */
export async function untrustedCertificateError(
  url: string,
  err: unknown,
  pin?: PinnedCertificate | null,
  proxyFor: (url: string) => string = () => '',
): Promise<CartageError | null> {
  const reason = tlsErrorCode(err);
  if (!reason) return null;
  // After a redirect the certificate that failed is the last host's, and the pin did not go there.
  const failedUrl = requestUrlOf(err) ?? url;
  const pinned = pin && sameOrigin(failedUrl, url) ? pin : null;
  let where = failedUrl;
  try {
    where = tlsTarget(failedUrl).where;
  } catch {
    // Not an https URL: name it as it is.
  }
  let cert: CertificateInfo | null = null;
  let unread = '';
  try {
    cert = await fetchCertificate(failedUrl, { timeoutMs: 5000, proxy: proxyFor(failedUrl) });
  } catch (e) {
    unread = (e as Error).message;
  }
  const details: Record<string, string> = { host: where, reason };
  if (cert) details.fingerprint256 = cert.fingerprint256;
  return new CartageError('untrusted_certificate', explain(where, reason, cert, pinned, unread), { cause: err, details });
}

function explain(where: string, reason: string, cert: CertificateInfo | null, pin: PinnedCertificate | null, unread: string): string {
  if (!cert) {
    return `The certificate of ${where} is not trusted (${reason}), and it could not be read again to show it: ${unread}`;
  }
  const fingerprint = `Its SHA-256 fingerprint is ${cert.fingerprint256}.`;
  const now = Date.now();
  const expired = Date.parse(cert.validTo) < now;
  const notYet = Date.parse(cert.validFrom) > now;
  if (pin && normalizeFingerprint(pin.fingerprint256) !== cert.fingerprint256) {
    const then = ` It changed since you trusted it for this source (you trusted ${normalizeFingerprint(pin.fingerprint256) ?? pin.fingerprint256}). ${fingerprint}`;
    if (cert.trusted) return `${where} now has a certificate this computer trusts.${then} Remove the trusted certificate from this source.`;
    return `The certificate of ${where} is not the one you trusted.${then} If you replaced it on the server, trust the new one; if not, someone may be in the way: do not trust it.`;
  }
  if (expired || notYet) {
    const which = pin ? 'the one you trusted for this source' : cert.selfSigned ? 'self-signed' : `issued by ${cert.issuer}`;
    if (notYet) {
      return `The certificate of ${where} (${which}) is valid only from ${cert.validFrom.slice(0, 10)}: check this computer's clock and date. ${fingerprint}`;
    }
    return `The certificate of ${where} (${which}) expired on ${cert.validTo.slice(0, 10)}; an expired certificate is refused, trusted or not. ${fingerprint} Renew it on the server, then trust the new one.`;
  }
  const why = cert.selfSigned
    ? 'uses a self-signed certificate, which no authority vouches for'
    : reason === 'ERR_TLS_CERT_ALTNAME_INVALID'
      ? `presents a certificate for ${cert.subject}, which does not name ${where}`
      : `presents a certificate issued by ${cert.issuer}, which this computer does not trust`;
  return `${where} ${why}, so Cartage cannot tell it from an impostor. ${fingerprint} If this is your own server and it shows the same fingerprint, trust this certificate for this source: only this certificate, and only for this source, will be accepted.`;
}

/** Host, port and SNI name of an https URL, and how to name it to people. */
function tlsTarget(url: string): { host: string; port: number; servername: string | null; where: string } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new CartageError('bad_input', `"${url.slice(0, 200)}" is not a web address.`);
  }
  if (u.protocol !== 'https:') {
    throw new CartageError('bad_input', `${u.host} is reached over ${u.protocol.replace(':', '')}, not https: there is no certificate to read.`);
  }
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = u.port ? Number(u.port) : 443;
  // SNI names a host, never an address.
  return { host, port, servername: net.isIP(host) ? null : host, where: u.host };
}

/**
 * A connection to the target through the proxy's CONNECT tunnel (what the requests' https agent
 * asks for too), for a handshake of our own over it.
 */
function tunnel(proxy: string, target: { host: string; port: number; where: string }, timeoutMs: number): Promise<net.Socket> {
  let via: URL;
  try {
    via = new URL(proxy);
  } catch {
    return Promise.reject(new CartageError('bad_input', `The proxy "${proxy.slice(0, 200)}" is not a web address; fix it in the settings or in HTTPS_PROXY.`));
  }
  const authority = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  const auth = via.username ? { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(via.username)}:${decodeURIComponent(via.password)}`).toString('base64')}` } : {};
  return new Promise((resolve, reject) => {
    const request = (via.protocol === 'https:' ? https : http).request({
      host: via.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: via.port || (via.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...auth },
      timeout: timeoutMs,
    });
    request.once('connect', (res: http.IncomingMessage, socket: net.Socket) => {
      if (res.statusCode === 200) {
        resolve(socket);
        return;
      }
      socket.destroy();
      reject(new CartageError('network', `The proxy ${via.host} would not open a connection to ${target.where} (${res.statusCode ?? 'no answer'}); check the proxy settings.`));
    });
    request.once('timeout', () => request.destroy(new CartageError('timeout', `The proxy ${via.host} did not open a connection to ${target.where} in time.`)));
    request.once('error', (err) =>
      reject(err instanceof CartageError ? err : new CartageError('network', `Could not reach the proxy ${via.host} to read the certificate of ${target.where}: ${err.message}`, { cause: err })),
    );
    request.end();
  });
}

function connectError(where: string, err: Error): CartageError {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  const host = where.replace(/:\d+$/, '');
  switch (code) {
    case 'ECONNREFUSED':
      return new CartageError('network', `${where} refused the connection: check that the server is running and that the port is right.`, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CartageError('network', `Could not find ${host}: check the name, or use the server's IP address.`, { cause: err });
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return new CartageError('network', `${where} cannot be reached from this computer (${code}): check that it is on and on the same network.`, { cause: err });
    case 'ETIMEDOUT':
      return new CartageError('timeout', `${where} did not answer.`, { cause: err });
    case 'ECONNRESET':
      return new CartageError('network', `${where} closed the connection before the TLS handshake was done; it may not serve https on this port.`, { cause: err });
    default:
      if (code.startsWith('ERR_SSL_') || code === 'EPROTO') {
        return new CartageError('bad_input', `${where} does not speak https (TLS) on this port: it may serve plain http:// there.`, { cause: err });
      }
      return new CartageError('network', `Could not read the certificate of ${where}: ${err.message}`, { cause: err });
  }
}

function describe(cert: X509Certificate, trusted: boolean, problem: string | null): CertificateInfo {
  return {
    fingerprint256: cert.fingerprint256,
    pem: cert.toString(),
    subject: oneLine(cert.subject),
    issuer: oneLine(cert.issuer),
    validFrom: new Date(cert.validFrom).toISOString(),
    validTo: new Date(cert.validTo).toISOString(),
    selfSigned: cert.checkIssued(cert) && cert.verify(cert.publicKey),
    trusted,
    problem,
  };
}

function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}

/** The certificate error behind a failed request (got keeps the code; the cause has it too). */
function tlsErrorCode(err: unknown): string | null {
  let e = err as { code?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; e && depth < 4; depth += 1) {
    if (typeof e.code === 'string' && untrustedCodes.has(e.code)) return e.code;
    e = e.cause as typeof e;
  }
  return null;
}

/** The URL of the request that failed, after redirects (got's errors carry their options; the engine's GET names it `requestUrl`). */
function requestUrlOf(err: unknown): string | null {
  const e = err as { options?: { url?: unknown }; requestUrl?: unknown } | null;
  if (typeof e?.requestUrl === 'string') return e.requestUrl;
  const url = e?.options?.url;
  if (url instanceof URL) return url.href;
  return typeof url === 'string' ? url : null;
}

function sameOrigin(a: string, b: string): boolean {
  try {
    const origin = new URL(a).origin;
    return origin !== 'null' && origin === new URL(b).origin;
  } catch {
    return false;
  }
}
