/** Shown when the page has no `window.cartage`: opened outside the app and outside `cartage serve`. */
export function NoBridge() {
  return (
    <main className="no-bridge">
      <h1>Cartage cannot reach its downloads</h1>
      <p>This page shows Cartage's window, but nothing connected it to the part of Cartage that does the work.</p>
      <ul>
        <li>In the app: quit Cartage and open it again.</li>
        <li>
          In a browser: start <code>npx cartage serve</code> and open the address it prints.
        </li>
      </ul>
    </main>
  );
}
