export * from './specs.js';
export { formatNumber, verdictScore, type Score } from './format.js';
export { renderSvg, type RenderSvgOptions } from './render.js';
export { renderReport, escapeHtml } from './html.js';
export { formatVerdictTable } from './verdictTable.js';
export type * from './results.js';
