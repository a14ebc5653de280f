/**
 * What the folders and names of AWS's two S3 layouts say about the objects below them, so that a
 * listing can leave out the folders a time window, an account or a region rules out:
 *   AWSLogs/{account}/vpcflowlogs/{region}/YYYY/MM/DD[/HH]/{account}_vpcflowlogs_{region}_{fl-id}_{YYYYMMDDTHHmmZ}_{hash}.log.gz
 *   AWSLogs/aws-account-id={account}/aws-service=vpcflowlogs/aws-region={region}/year=YYYY/month=MM/day=DD[/hour=HH]/…
 * The folder dates and the name's timestamp are when AWS wrote the object, not when its records start.
 */

/** Which objects a listing should return; every part optional. */
export interface S3Filter {
  since?: Date;
  until?: Date;
  accounts?: readonly string[];
  regions?: readonly string[];
}

/**
 * How long after its records a log object may be written: records span up to the 10-minute maximum
 * aggregation interval and AWS delivers every 5 minutes, plus its delivery delay. An object written
 * this long after --until can still hold records from before it, so it is read.
 */
export const DELIVERY_SLACK_MS = 20 * 60 * 1000;

/** What a listing does with a folder. */
export type PrefixDecision = 'skip' | 'walk' | 'all';

interface PathFacts {
  account?: string;
  region?: string;
  /** the span of time the folder's date parts cover, when it has any */
  span?: { start: number; end: number };
}

const REGION = '[a-z]{2}(?:-[a-z]+)+-\\d+';
const CLASSIC_ACCOUNT = /(?:^|\/)AWSLogs\/(\d{12})\//;
const CLASSIC_REGION = new RegExp(`(?:^|/)vpcflowlogs/(${REGION})/`);
const CLASSIC_DATE = new RegExp(
  `(?:^|/)vpcflowlogs/${REGION}/(\\d{4})/(?:(\\d{2})/(?:(\\d{2})/(?:(\\d{2})/)?)?)?`,
);
const HIVE_ACCOUNT = /(?:^|\/)aws-account-id=([^/]+)\//;
const HIVE_REGION = /(?:^|\/)aws-region=([^/]+)\//;
const HIVE_PART = (name: string) => new RegExp(`(?:^|/)${name}=(\\d{1,4})/`);
const HIVE_PARTS = ['year', 'month', 'day', 'hour'].map(HIVE_PART);
const NAME = new RegExp(`(?:^|/)(\\d{12})_vpcflowlogs_(${REGION})_[^/_]+_(\\d{8}T\\d{4}Z)_[^/]*$`);

/** The account, region and date span a folder (or a key's folders) names. */
function pathFacts(path: string): PathFacts {
  const facts: PathFacts = {};
  const account = CLASSIC_ACCOUNT.exec(path)?.[1] ?? HIVE_ACCOUNT.exec(path)?.[1];
  const region = CLASSIC_REGION.exec(path)?.[1] ?? HIVE_REGION.exec(path)?.[1];
  if (account !== undefined) facts.account = account;
  if (region !== undefined) facts.region = region;
  const classic = CLASSIC_DATE.exec(path);
  const parts = classic ? classic.slice(1) : HIVE_PARTS.map((part) => part.exec(path)?.[1]);
  const span = dateSpan(parts);
  if (span) facts.span = span;
  return facts;
}

/** [start, end) in ms of the leading date parts given (year, month, day, hour), if a year is given. */
function dateSpan(parts: readonly (string | undefined)[]): { start: number; end: number } | undefined {
  const numbers: number[] = [];
  for (const part of parts) {
    if (part === undefined) break;
    numbers.push(Number(part));
  }
  const [year, month, day, hour] = numbers;
  if (year === undefined) return undefined;
  if (month === undefined) return { start: Date.UTC(year, 0), end: Date.UTC(year + 1, 0) };
  if (day === undefined) return { start: Date.UTC(year, month - 1), end: Date.UTC(year, month) };
  if (hour === undefined)
    return { start: Date.UTC(year, month - 1, day), end: Date.UTC(year, month - 1, day + 1) };
  return { start: Date.UTC(year, month - 1, day, hour), end: Date.UTC(year, month - 1, day, hour + 1) };
}

/** The window objects must have been written in: [since, until + slack]. */
function window(filter: S3Filter): { from: number; to: number } {
  return {
    from: filter.since?.getTime() ?? Number.NEGATIVE_INFINITY,
    to: filter.until ? filter.until.getTime() + DELIVERY_SLACK_MS : Number.POSITIVE_INFINITY,
  };
}

function ruledOut(value: string | undefined, allowed: readonly string[] | undefined): boolean {
  return value !== undefined && allowed !== undefined && allowed.length > 0 && !allowed.includes(value);
}

/** Whether the filter can rule anything out at all: without one, a listing need not walk folders. */
export function filters(filter: S3Filter): boolean {
  return (
    filter.since !== undefined ||
    filter.until !== undefined ||
    (filter.accounts?.length ?? 0) > 0 ||
    (filter.regions?.length ?? 0) > 0
  );
}

/**
 * For a folder (a prefix ending in '/'): 'skip' when the filter rules out everything below it,
 * 'all' when it can rule out nothing there any more (a flat listing is then cheapest: one request
 * per thousand keys rather than one per folder), 'walk' otherwise.
 */
export function decidePrefix(prefix: string, filter: S3Filter): PrefixDecision {
  const facts = pathFacts(prefix);
  if (ruledOut(facts.account, filter.accounts) || ruledOut(facts.region, filter.regions)) return 'skip';
  const { from, to } = window(filter);
  const timed = filter.since !== undefined || filter.until !== undefined;
  if (timed && facts.span && (facts.span.end <= from || facts.span.start > to)) return 'skip';
  const accountOpen = (filter.accounts?.length ?? 0) > 0 && facts.account === undefined;
  const regionOpen = (filter.regions?.length ?? 0) > 0 && facts.region === undefined;
  const timeOpen = timed && !(facts.span && facts.span.start >= from && facts.span.end - 1 <= to);
  return accountOpen || regionOpen || timeOpen ? 'walk' : 'all';
}

/**
 * Whether an object is wanted, by its folders and by its name (account, region, and the time it was
 * written). Objects that name none of these (renamed or copied logs) are kept: their records decide.
 */
export function keyWanted(key: string, filter: S3Filter): boolean {
  const folders = key.slice(0, key.lastIndexOf('/') + 1);
  if (folders !== '' && decidePrefix(folders, filter) === 'skip') return false;
  const name = NAME.exec(key);
  if (!name) return true;
  if (ruledOut(name[1], filter.accounts) || ruledOut(name[2], filter.regions)) return false;
  const stamp = name[3] as string;
  const written = Date.UTC(
    Number(stamp.slice(0, 4)),
    Number(stamp.slice(4, 6)) - 1,
    Number(stamp.slice(6, 8)),
    Number(stamp.slice(9, 11)),
    Number(stamp.slice(11, 13)),
  );
  const { from, to } = window(filter);
  return written >= from && written <= to;
}
