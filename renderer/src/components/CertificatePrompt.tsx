import type { ApiError } from '../../../preload/api';

/**
 * A certificate this computer does not trust: who it names and its SHA-256 fingerprint, to compare
 * with the one the server's owner sees, and the choice to trust exactly that certificate.
 */
export function CertificatePrompt({ error, onTrust, busy }: { error: ApiError; onTrust: (fingerprint: string) => void; busy: boolean }) {
  const fingerprint = error.details?.fingerprint256 ?? '';
  return (
    <div className="certificate" role="alert">
      <p>{error.message}</p>
      {fingerprint && (
        <>
          <p>Its SHA-256 fingerprint is:</p>
          <code className="fingerprint" aria-label="Certificate fingerprint">
            {fingerprint}
          </code>
          <p className="muted small">Trust it only if this is the fingerprint the server's owner sees on the server itself.</p>
          <button type="button" className="primary" disabled={busy} onClick={() => onTrust(fingerprint)}>
            Trust this certificate
          </button>
        </>
      )}
    </div>
  );
}
