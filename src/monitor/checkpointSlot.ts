/**
 * The checkpoint request waiting to travel with the next sample call.
 */
import { ICheckpointRequest, IProbeSample } from './protocol';

/**
 * Holds one checkpoint request until a sample answers it.
 *
 * #### Notes
 * An older probe ignores the argument and never answers; the request is
 * dropped after a few samples then, so it is not sent forever.
 */
export class CheckpointRequestSlot {
  /** The arguments to add to the next sample call. */
  get args(): { checkpoint_request?: ICheckpointRequest } {
    return this._request ? { checkpoint_request: this._request } : {};
  }

  /** Send `request` with the coming samples until one answers it. */
  set(request: ICheckpointRequest): void {
    this._request = request;
    this._tries = 0;
  }

  /** Take in a sample; forget the request once answered (or after 3). */
  settle(sample: IProbeSample): void {
    if (!this._request) {
      return;
    }
    if (
      sample.checkpoint_request_result?.id === this._request.id ||
      ++this._tries >= CheckpointRequestSlot.MAX_TRIES
    ) {
      this._request = null;
    }
  }

  /** Samples sent with a request before it is given up. */
  static readonly MAX_TRIES = 3;

  private _request: ICheckpointRequest | null = null;
  private _tries = 0;
}
