import { VERSION } from '../version.js';
import type { Page } from './page.js';
import { PAGES } from './pages/index.js';
import { formatHash, parseHash, StateError } from './state.js';
import { h, message } from './ui.js';

/**
 * The lab's shell: tabs, the hash router, and the guarantee that whatever goes wrong (a bad link,
 * a bug) the page says so in words instead of going blank.
 */
const tabs = document.getElementById('tabs')!;
const root = document.getElementById('page')!;
let unmount: (() => void) | null = null;

document.title = `gibbslab ${VERSION} — web lab`;

function fail(text: string, page?: Page): void {
  root.replaceChildren(
    h('h2', {}, page ? page.title : 'gibbslab web lab'),
    message('error', text, 'state-error', ' ', page ? h('a', { href: `#/${page.id}`, testid: 'reset' }, `Open ${page.title} with its defaults`) : null),
  );
}

function route(): void {
  unmount?.();
  unmount = null;
  const { page: id, params } = parseHash(location.hash);
  const page = PAGES.find((p) => p.id === (id || PAGES[0].id));
  tabs.querySelectorAll('a').forEach((a) => {
    if (a.dataset.page === page?.id) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  if (!page) return fail(`This link names the page "${id}", which the lab does not have; pages: ${PAGES.map((p) => p.id).join(', ')}.`);
  try {
    unmount = page.mount(root, params, {
      save: (next) => history.replaceState(null, '', formatHash(page.id, next)),
    });
  } catch (e) {
    if (e instanceof StateError) fail(`This link's settings are not valid: ${e.message}`, page);
    else fail(`The page failed to open: ${(e as Error).message}`, page);
  }
}

tabs.replaceChildren(...PAGES.map((p) => h('a', { href: `#/${p.id}`, 'data-page': p.id, testid: `tab-${p.id}` }, p.title)));
window.addEventListener('hashchange', route);
// Errors outside a page's own handling still end on the page, in words.
window.addEventListener('error', (e) => root.prepend(message('error', `Unexpected error: ${e.message}`, 'page-error')));
window.addEventListener('unhandledrejection', (e) => root.prepend(message('error', `Unexpected error: ${(e.reason as Error)?.message ?? String(e.reason)}`, 'page-error')));
route();
