import { useState } from 'react';
import type { SourceDto } from '../../../preload/api';
import { useBridge } from '../lib/bridge';
import { useApp } from '../state/AppState';

/**
 * One button per Synapse source: brings the person's download list on synapse.org into this one
 * (all or nothing). Nothing shows when no Synapse source was added.
 */
export function SynapseImport({ disabled }: { disabled: boolean }) {
  const bridge = useBridge();
  const { sources, notify } = useApp();
  const [busy, setBusy] = useState<number | null>(null);
  const synapse = (sources.sources ?? []).filter((s) => s.kind === 'synapse');
  const importFrom = async (source: SourceDto) => {
    setBusy(source.id);
    const result = await bridge.cart.importSynapse({ sourceId: source.id });
    setBusy(null);
    if (result.ok) notify({ tone: 'info', text: result.value.message });
    else notify({ tone: 'error', text: result.error.message, error: result.error });
  };
  return (
    <>
      {synapse.map((s) => (
        <button key={s.id} type="button" disabled={disabled || busy !== null} onClick={() => void importFrom(s)}>
          {busy === s.id ? 'Importing…' : `Import the Synapse list of ${s.name}`}
        </button>
      ))}
    </>
  );
}
