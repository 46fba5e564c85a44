"""Shares of a run's articles claimed a few at a time, so that a writer left
with nothing to do takes over the tail of a busy one.

The write stage cuts the spool into shares of equal size, one segment each
(:mod:`searchengine.indexer.build`), but equal work does not make equal
time: the cores of a virtual machine run at the speed their host leaves
them, and on the recorded machine one of its two ran the same loop 1.2 to
1.6 times slower than the other for minutes on end (which one changing
within the hour), while two writers given equal halves spent up to 0.9 s
of CPU more on one than on the other.  With
a fixed cut, the run waits for the slower core while the faster one idles.

So a writer claims its share's articles :data:`CLAIM_BATCH` at a time from
a table in shared memory, and one that has no share left *steals*: it takes
the tail of the share with the most articles left, as many as let the two
end together by the rates both have shown, and builds it as a segment of
its own (Lucene's indexing threads balance the same way, by taking
documents as they come; a segment each is what keeps the order here).  The
victim's claims stop where the tail begins.  The run lists its segments by
their first article, so the index holds the spool's order whatever the
timing: only the number of segments varies.  A steal costs a segment (its
vocabulary and files, :data:`STEAL_OVERHEAD`, and a little of every
query's time from then on), so it is made only when it saves at least
:data:`STEAL_MIN_SECONDS` and :data:`STEAL_MIN_SHARE` of the stage so far.
"""

from __future__ import annotations

from typing import Any

#: Articles a writer claims at once: a few milliseconds of work, so the
#: lock is taken rarely and a thief finds the tail almost where it is.
CLAIM_BATCH = 8
#: Seconds a stolen segment costs its thief beyond its articles: the
#: words of its vocabulary stemmed and hashed again, its files written.
STEAL_OVERHEAD = 0.12
#: A steal is made only when it brings the end of the stage at least this
#: much closer (seconds, by the rates measured so far) ...
STEAL_MIN_SECONDS = 0.1
#: ... and at least this share of the time the stage has run: a segment
#: more costs every query a little from then on, which a long run's last
#: second is not worth (at a million articles a steal would save ~0.2 %).
STEAL_MIN_SHARE = 0.01

# The table: the slots in use and when the stage began (monotonic
# nanoseconds), then the slots.  A slot's fields: its first article, the
# next one not yet claimed, its end (exclusive) and when it was begun
# (-1 before).
_USED, _STARTED, _HEADER = 0, 1, 2
_FIRST, _NEXT, _END, _BEGUN = range(4)
_FIELDS = 4
_NOT_BEGUN = -1


class Claims:
    """The table of a run's shares (one slot each, and spare slots for the
    parts stolen), in memory shared with the writer processes forked after
    it is made.  Every read and change is made under the table's lock."""

    def __init__(
        self, context: Any, ranges: list[tuple[int, int]], spare: int, started: int
    ) -> None:
        """``ranges`` are the shares as ``(first, end)``; ``spare`` slots are
        left for stolen parts (each one more segment); the stage began at
        ``started`` (as for :meth:`begin`).  ``context`` is the
        multiprocessing context the writers are forked by."""
        self.shares = len(ranges)
        table = context.Array("q", _HEADER + _FIELDS * (self.shares + spare))
        self._lock = table.get_lock()
        self._table = table.get_obj()
        for slot, (first, end) in enumerate(ranges):
            self._set(slot, first, end, _NOT_BEGUN)
        self._table[_USED] = self.shares
        self._table[_STARTED] = started

    def begin(self, slot: int, now: int) -> None:
        """Mark ``slot`` begun at ``now`` (``time.monotonic_ns()``, which
        every process reads alike): its rate counts from then."""
        with self._lock:
            self._table[_HEADER + _FIELDS * slot + _BEGUN] = now

    def claim(self, slot: int, most: int = CLAIM_BATCH) -> int:
        """Claim the next ``most`` articles of ``slot`` at most; how many
        were claimed (0 once the slot is done, or its tail was taken)."""
        base = _HEADER + _FIELDS * slot
        with self._lock:
            claimed = min(most, int(self._table[base + _END] - self._table[base + _NEXT]))
            if claimed <= 0:
                return 0
            self._table[base + _NEXT] += claimed
        return claimed

    def steal(self, rate: float, now: int) -> tuple[int, int, int] | None:
        """For a writer whose claims just ran out at ``now`` (as for
        :meth:`begin`), and which builds ``rate`` articles a second: a new
        slot with the tail of the share with the most articles left, as
        ``(slot, first, end)``, those articles no longer that share's; or
        ``None`` when no steal would pay, a share is still to begin (the
        pool hands it out next) or no slot is spare.

        Only the run's shares are stolen from, never a part stolen
        already: a thief takes its part as its own articles end, and
        builds it once it has written its own segment, which the victim
        does too at the end of its articles; tails taken back and forth
        would only cost segments."""
        with self._lock:
            used = self._table[_USED]
            if _HEADER + _FIELDS * (used + 1) > len(self._table):
                return None
            if any(self._field(slot, _BEGUN) == _NOT_BEGUN for slot in range(self.shares)):
                return None
            victim = max(range(self.shares), key=self._left)
            first, end = self._tail(victim, rate, now)
            if first >= end:
                return None
            self._table[_HEADER + _FIELDS * victim + _END] = first
            self._set(used, first, end, now)
            self._table[_USED] = used + 1
        return used, first, end

    def _tail(self, victim: int, rate: float, now: int) -> tuple[int, int]:
        """The part of ``victim``'s articles left that a thief building
        ``rate`` a second should take so that both end together (its
        segment's overhead counted), or an empty one when that saves less
        than :data:`STEAL_MIN_SECONDS` or :data:`STEAL_MIN_SHARE` of the
        stage so far."""
        left = self._left(victim)
        done = self._field(victim, _NEXT) - self._field(victim, _FIRST)
        seconds = (now - self._field(victim, _BEGUN)) / 1e9
        # A victim begun too recently to have a rate is taken to go as fast.
        pace = done / seconds if done and seconds > 0 else rate
        end = self._field(victim, _END)
        if rate <= 0 or pace <= 0:
            return end, end
        # (left - taken) / pace == taken / rate + STEAL_OVERHEAD
        taken = min(left, int(rate * (left - STEAL_OVERHEAD * pace) / (rate + pace)))
        least = max(STEAL_MIN_SECONDS, STEAL_MIN_SHARE * (now - self._table[_STARTED]) / 1e9)
        if taken <= 0 or taken / pace < least:
            return end, end
        return end - taken, end

    def _left(self, slot: int) -> int:
        return self._field(slot, _END) - self._field(slot, _NEXT)

    def _field(self, slot: int, field: int) -> int:
        return int(self._table[_HEADER + _FIELDS * slot + field])

    def _set(self, slot: int, first: int, end: int, begun: int) -> None:
        base = _HEADER + _FIELDS * slot
        self._table[base + _FIRST] = first
        self._table[base + _NEXT] = first
        self._table[base + _END] = end
        self._table[base + _BEGUN] = begun
