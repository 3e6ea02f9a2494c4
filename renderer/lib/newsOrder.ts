// News asked for over HTTP and told over the event socket (or over another socket) can land out of
// order: an answer written before an event, or before a later ask's answer, may arrive after it.
// Each piece of news takes a ticket in the order it was asked for or heard; an answer whose ticket
// is older than the newest news that landed is stale.
export class NewsOrder {
  private issued = 0;
  private landed = 0;

  /** A ticket for an ask about to be sent. */
  ask(): number {
    return ++this.issued;
  }

  /** News heard now (an event): newer than every answer still on its way. */
  heard(): void {
    this.landed = ++this.issued;
  }

  /** Whether the answer to `ticket` is the newest news; if so, it is the one that landed last. */
  fresh(ticket: number): boolean {
    if (ticket < this.landed) return false;
    this.landed = ticket;
    return true;
  }
}
