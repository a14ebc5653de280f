import { expect, it } from 'vitest';
import { SEVERITY_COLORS as REPORT_COLORS } from '../src/outputs/html/charts.js';
import { SEVERITY_COLORS as PAGE_COLORS } from '../web/severity.js';

// the page cannot import the report's module (it reads files with Node), so the palette is written twice
it('colours severities on the web page as the HTML report does', () => {
  expect(PAGE_COLORS).toEqual(REPORT_COLORS);
});
