/** The page's routes, from location.hash: `#/`, `#/jobs/ID`, `#/jobs/ID/findings/FID`. */

export type Route =
  | { view: 'home' }
  | { view: 'job'; id: string }
  | { view: 'finding'; id: string; findingId: string }
  | { view: 'missing'; hash: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '');
  if (path === '' || path === '/') return { view: 'home' };
  const parts = path.replace(/^\/+/, '').split('/');
  try {
    if (parts[0] === 'jobs' && parts[1]) {
      const id = decodeURIComponent(parts[1]);
      if (parts.length === 2) return { view: 'job', id };
      if (parts.length === 4 && parts[2] === 'findings' && parts[3])
        return { view: 'finding', id, findingId: decodeURIComponent(parts[3]) };
    }
  } catch {
    // a malformed escape: not a route
  }
  return { view: 'missing', hash };
}
