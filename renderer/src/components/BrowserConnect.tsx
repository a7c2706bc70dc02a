import { useEffect, useState } from 'react';
import type { ApiError, BrowserHostDto } from '../../../preload/api';
import { ask, useBridge } from '../lib/bridge';
import { ErrorText } from './ErrorText';

/** The Settings' browser section: lets the Cartage extension in each browser reach the app, at once (not on Save). */
export function BrowserConnect() {
  const bridge = useBridge();
  const [hosts, setHosts] = useState<BrowserHostDto[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void ask(() => bridge.browser.status()).then((r) => (r.ok ? setHosts(r.value) : setError(r.error)));
  }, [bridge]);

  const change = async (host: BrowserHostDto) => {
    setBusy(true);
    setError(null);
    const r = await ask(() => bridge.browser.connect({ browser: host.browser, connected: !host.connected }));
    setBusy(false);
    if (r.ok) setHosts(r.value);
    else setError(r.error);
  };

  return (
    <fieldset>
      <legend>Browser extension</legend>
      <p className="muted small">Lets the Cartage extension in these browsers send links and downloads here (see the README to add the extension).</p>
      <ul className="browser-hosts">
        {hosts?.map((h) => (
          <li key={h.browser}>
            {h.name}: {h.connected ? 'connected' : 'not connected'}{' '}
            <button type="button" disabled={busy} onClick={() => void change(h)}>
              {h.connected ? `Disconnect ${h.name}` : `Connect ${h.name}`}
            </button>
          </li>
        ))}
      </ul>
      <ErrorText error={error} />
    </fieldset>
  );
}
