import { useApp } from '../state/AppState';

/** The latest news (an add, a save) or problem, in one line at the top of the window. */
export function NoticeBar() {
  const { notice, notify } = useApp();
  return (
    <div className="notices">
      <div role="status" aria-live="polite" className={notice?.tone === 'info' ? 'notice notice-info' : 'notice-empty'}>
        {notice?.tone === 'info' && <span>{notice.text}</span>}
        {notice?.tone === 'info' && (
          <button type="button" className="link" onClick={() => notify(null)} aria-label="Dismiss message">
            Dismiss
          </button>
        )}
      </div>
      <div role="alert" className={notice?.tone === 'error' ? 'notice notice-error' : 'notice-empty'}>
        {notice?.tone === 'error' && <span>{notice.text}</span>}
        {notice?.tone === 'error' && (
          <button type="button" className="link" onClick={() => notify(null)} aria-label="Dismiss message">
            Dismiss
          </button>
        )}
      </div>
    </div>
  );
}
