// The Teams streaming protocol for personal chats: an informative update first, then `typing`
// activities carrying the text so far (at most one a second), then the final message, all tied by
// the stream id Teams gives the first one. When Teams refuses the stream (403
// ContentStreamNotAllowed, or the stream outlives Teams' two-minute limit), the answer still
// arrives, as one plain message.
import type { Activity, Entity, TurnContext } from 'botbuilder';
import type { Logger } from '../../logger.js';
import { withoutUnsafeLinks } from '../markdown-links.js';

export interface TeamsStreamOptions {
  minIntervalMs?: number;
  /** Updates stop, and the answer goes as a plain message, once the stream is this old. */
  maxDurationMs?: number;
}

export class TeamsStream {
  private streamId: string | null = null;
  private sequence = 0;
  private text = '';
  private lastUpdateAt = 0;
  private inFlight: Promise<void> | null = null;
  private refused = false;
  private readonly startedAt = Date.now();
  private readonly minIntervalMs: number;
  private readonly maxDurationMs: number;

  constructor(
    private readonly context: TurnContext,
    private readonly logger: Logger,
    options: TeamsStreamOptions = {},
  ) {
    this.minIntervalMs = options.minIntervalMs ?? 1000;
    this.maxDurationMs = options.maxDurationMs ?? 110_000;
  }

  private info(streamType: 'informative' | 'streaming' | 'final'): Entity {
    if (streamType !== 'final') this.sequence++;
    return {
      type: 'streaminfo',
      streamType,
      ...(streamType !== 'final' ? { streamSequence: this.sequence } : {}),
      ...(this.streamId ? { streamId: this.streamId } : {}),
    };
  }

  private get open(): boolean {
    return !this.refused && Date.now() - this.startedAt < this.maxDurationMs;
  }

  /** "Searching the docs…": shown at once while the answer is prepared; its id becomes the stream id. */
  async informative(text: string): Promise<void> {
    try {
      const response = await this.context.sendActivity({ type: 'typing', text, entities: [this.info('informative')] });
      this.streamId = response?.id ?? null;
      if (!this.streamId) this.refused = true;
    } catch (error) {
      this.refuse(error);
    }
  }

  /** Adds a piece of the answer; Teams sees the text so far at most once per interval. */
  append(piece: string): void {
    this.text += piece;
    if (!this.streamId || !this.open || this.inFlight || Date.now() - this.lastUpdateAt < this.minIntervalMs) return;
    this.lastUpdateAt = Date.now();
    // Each update carries the whole text so far, so links are checked on all of it every time.
    const update: Partial<Activity> = { type: 'typing', text: withoutUnsafeLinks(this.text), entities: [this.info('streaming')] };
    this.inFlight = this.context
      .sendActivity(update)
      .then(() => undefined, (error: unknown) => this.refuse(error))
      .finally(() => {
        this.inFlight = null;
      });
  }

  /**
   * Ends the stream with the final message, or sends it plainly when there is no usable stream;
   * returns the id Teams gave the message.
   */
  async finish(activity: Partial<Activity>): Promise<string | null> {
    await this.inFlight;
    if (this.streamId && this.open) {
      try {
        const response = await this.context.sendActivity({ ...activity, entities: [this.info('final'), ...(activity.entities ?? [])] });
        // The streamed message is one message: the stream's id is its id.
        return response?.id ?? this.streamId;
      } catch (error) {
        this.refuse(error);
      }
    }
    return (await this.context.sendActivity(activity))?.id ?? null;
  }

  private refuse(error: unknown): void {
    this.refused = true;
    const { statusCode, message } = error as { statusCode?: number; message?: string };
    this.logger.warn({ statusCode, reason: message }, 'Teams refused the stream: the answer goes as one message');
  }
}
