/**
 * The base of every sidebar section: a widget that renders on update
 * requests, and only while it is visible.
 */
import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

/**
 * A section of the GPU sidebar.
 *
 * #### Notes
 * `update()` posts an update request, which Lumino conflates: a burst of
 * model changes renders once, on the next animation frame. A hidden section
 * (sidebar collapsed, tab in the background) skips its render and catches up
 * when it is shown again, so a closed sidebar costs nothing per sample.
 */
export abstract class SidebarSection extends Widget {
  constructor(options: SidebarSection.IOptions = {}) {
    super({ node: options.node });
    if (options.className) {
      this.addClass(options.className);
    }
  }

  /** Whether a render was skipped while the section was hidden. */
  get isStale(): boolean {
    return this._stale;
  }

  /** Draw the section from its model's current state. */
  protected abstract render(): void;

  protected onUpdateRequest(msg: Message): void {
    if (!this.isVisible) {
      this._stale = true;
      return;
    }
    this._stale = false;
    this.render();
  }

  protected onAfterShow(msg: Message): void {
    if (this._stale) {
      this.update();
    }
  }

  protected onAfterAttach(msg: Message): void {
    // The first paint is immediate, so a section never shows empty.
    if (this.isVisible) {
      this._stale = false;
      this.render();
    }
  }

  private _stale = true;
}

/** The options of a sidebar section. */
export namespace SidebarSection {
  /** What a section is made of. */
  export interface IOptions {
    /** The section's own node; a `div` when absent. */
    node?: HTMLElement;
    /** A class to tell the section apart (`jp-GpuSession-gpus`...). */
    className?: string;
  }
}
