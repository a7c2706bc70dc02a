import type { ReactNode } from 'react';
import type { ApiError } from '../../../preload/api';

/** An error as the app wrote it, announced to screen readers when it appears. */
export function ErrorText({ error, children, id }: { error: ApiError | string | null | undefined; children?: ReactNode; id?: string }) {
  if (!error) return null;
  return (
    <div className="error-text" role="alert" id={id}>
      <p>{typeof error === 'string' ? error : error.message}</p>
      {children}
    </div>
  );
}
