import { defineOutput } from '../defineOutput.js';
import { renderFindingsHtml } from './report.js';

export { type HtmlOptions, renderFindingsHtml } from './report.js';

export const htmlOutput = defineOutput({
  id: 'html',
  describe: 'one self-contained page with charts, works offline (the default of report)',
  contentType: 'text/html; charset=utf-8',
  extension: 'html',
  render: (report) => renderFindingsHtml(report),
});
