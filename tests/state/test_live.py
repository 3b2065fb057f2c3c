"""What a batch of events makes the live bridge redraw: a note reloads the thread of the tabs that have its
conversation open but not the queue (which does not show notes); a message reloads both; a status one bubble."""

from __future__ import annotations

from citymes_app.core.events import InboxEvent, InboxEventKind
from citymes_app.state.live import Changes


def test_a_note_reloads_its_thread_without_the_queue_and_covers_the_statuses_of_that_thread() -> None:
    changes = Changes.of(
        [
            InboxEvent(1, 10, InboxEventKind.NOTE, 5),
            InboxEvent(1, 10, InboxEventKind.STATUS, 70),
            InboxEvent(1, 20, InboxEventKind.STATUS, 71),
        ]
    )
    assert (changes.threads, changes.notes, changes.statuses) == (set(), {10}, {20: {71}})

    changes = Changes.of([InboxEvent(1, 10, InboxEventKind.NOTE, 5), InboxEvent(1, 30, InboxEventKind.MESSAGE, 72)])
    assert (changes.threads, changes.notes) == ({30}, {10})
