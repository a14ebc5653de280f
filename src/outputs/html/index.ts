export { type HtmlOptions, renderFindingsHtml } from './report.js';
