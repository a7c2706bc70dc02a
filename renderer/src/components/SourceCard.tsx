import { useEffect, useRef } from 'react';
import type { SourceDto } from '../../../preload/api';
import { sourceKindLabel } from '../lib/labels';
import { ConfirmButton } from './ConfirmButton';

/** Who a source signs in as, in words. */
export function signedInText(source: SourceDto, signedInAs: string | undefined): string {
  if (signedInAs) return `Signed in as ${signedInAs}`;
  if (source.sharedLink) return 'Through a shared link';
  if (source.username) return `Signed in as ${source.username}`;
  return source.kind === 'immich' ? 'Signed in with an API key' : 'No sign-in';
}

/** One source: what it is, where, who is signed in, and what can be done with it. */
export function SourceCard({
  source,
  signedInAs,
  focused = false,
  onFocused,
  onBrowse,
  onEdit,
  onRemove,
}: {
  source: SourceDto;
  signedInAs: string | undefined;
  /** Take focus (the source was just added or saved), then say so. */
  focused?: boolean;
  onFocused?: () => void;
  onBrowse: () => void;
  onEdit: () => void;
  onRemove: () => void;
}) {
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!focused) return;
    ref.current?.focus();
    onFocused?.();
  }, [focused, onFocused]);
  return (
    <article ref={ref} className="source-card" aria-label={source.name} tabIndex={-1}>
      <h3>{source.name}</h3>
      <p className="muted small">
        {sourceKindLabel(source.kind)} · <span className="url">{source.url}</span>
      </p>
      <p>{signedInText(source, signedInAs)}</p>
      {source.certificate && (
        <p className="small">
          Trusts one certificate: <code className="fingerprint">{source.certificate}</code>
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onBrowse} aria-label={`Browse ${source.name}`}>
          Browse
        </button>
        <button type="button" onClick={onEdit} aria-label={`Edit ${source.name}`}>
          Edit
        </button>
        <ConfirmButton question={`Remove ${source.name}? Its saved key or password is deleted too.`} confirmLabel={`Remove ${source.name}`} ariaLabel={`Remove ${source.name}`} onConfirm={onRemove}>
          Remove
        </ConfirmButton>
      </div>
    </article>
  );
}
