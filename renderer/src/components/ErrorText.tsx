import type { ReactNode } from 'react';
import type { ApiError } from '../../../preload/api';

/** An error as the app wrote it, announced to screen readers when it appears. */
export function ErrorText({ error, children }: { error: ApiError | string | null | undefined; children?: ReactNode }) {
  if (!error) return null;
  return (
    <div className="error-text" role="alert">
      <p>{typeof error === 'string' ? error : error.message}</p>
      {children}
    </div>
  );
}
