import { api, type DetectorInfo } from './api.js';

let cached: Promise<DetectorInfo[]> | null = null;

/**
 * The server's detector catalogue, asked for once per page load: the findings table's filter and the
 * finding view's port chart read it. A failed request is not kept, so the next caller asks again.
 */
export function detectorCatalogue(): Promise<DetectorInfo[]> {
  cached ??= api.detectors().then(
    (d) => d.detectors,
    () => {
      cached = null;
      return [];
    },
  );
  return cached;
}
