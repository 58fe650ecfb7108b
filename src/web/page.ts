/** What a page of the lab gets from the shell. */
export interface PageContext {
  /** Writes the page's state into the URL (replacing the entry: dragging a slider does not fill the history). */
  save(params: URLSearchParams): void;
}

export interface Page {
  id: string;
  title: string;
  /**
   * Renders the page from its URL parameters into `root` and returns what stops it (cancels its
   * workers). Throws `StateError` when the parameters are not a valid state.
   */
  mount(root: HTMLElement, params: URLSearchParams, ctx: PageContext): () => void;
}
