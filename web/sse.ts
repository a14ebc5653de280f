/**
 * A Server-Sent Events reader over fetch(): EventSource cannot send an Authorization header, so the
 * page reads the `text/event-stream` body itself. `SseParser` follows the HTML standard's rules
 * (fields `event`, `data`, `id`; `:` comments; CR, LF or CRLF line ends; a blank line dispatches).
 */

export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private id: string | null = null;
  /** a chunk ended in CR: a LF starting the next chunk belongs to it */
  private lastWasCr = false;

  /** Feeds decoded text; returns the events completed by it. */
  push(text: string): SseEvent[] {
    let chunk = text;
    if (this.lastWasCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
    this.lastWasCr = chunk.endsWith('\r');
    this.buffer += chunk;
    const out: SseEvent[] = [];
    const lines = this.buffer.split(/\r\n|\r|\n/);
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      const event = this.line(line);
      if (event) out.push(event);
    }
    return out;
  }

  private line(line: string): SseEvent | null {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return null;
      }
      const event = { event: this.event || 'message', data: this.data.join('\n'), id: this.id };
      this.event = '';
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
    return null;
  }
}

/** Reads the response body to its end, calling `onEvent` for each event. Stops when `signal` aborts. */
export async function readEventStream(
  res: Response,
  onEvent: (event: SseEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  if (!res.body) return;
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseParser();
  const stop = () => void reader.cancel().catch(() => undefined);
  signal.addEventListener('abort', stop, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.push(decoder.decode(value, { stream: true }))) onEvent(event);
    }
    // an event without its closing blank line is incomplete and dropped, as EventSource does
    for (const event of parser.push(decoder.decode())) onEvent(event);
  } finally {
    signal.removeEventListener('abort', stop);
    reader.releaseLock();
  }
}
