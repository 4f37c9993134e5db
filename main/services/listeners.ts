// Listeners for one kind of event, shared by the services that announce changes (identity, sessions): a listener
// that throws never stops the others or the service that emits.
import type { Unsubscribe } from './services';

export class Listeners<E> {
  private readonly set = new Set<(event: E) => void>();

  add(listener: (event: E) => void): Unsubscribe {
    this.set.add(listener);
    return () => void this.set.delete(listener);
  }

  emit(event: E): void {
    for (const l of this.set) {
      try {
        l(event);
      } catch {
        // A listener's failure (a UI gone away) must not break the service.
      }
    }
  }
}
