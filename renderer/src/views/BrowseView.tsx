import { BrowsePane } from '../components/BrowsePane';
import { CartPane } from '../components/CartPane';
import { useApp } from '../state/AppState';

/** A source's folders and searches on the left, the download list to drop them on at the right. */
export function BrowseView() {
  const { navigate } = useApp();
  return (
    <div className="view-browse">
      <BrowsePane />
      <CartPane compact onDownload={() => navigate({ view: 'cart', checkout: true })} />
    </div>
  );
}
