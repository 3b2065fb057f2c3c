// While a reply is being written: says once that the box has rested (no change for `idleMs`), so colleagues stop
// seeing "writing…". Each change of the draft restarts the wait; nothing is sent while the operator keeps typing.
import { useEffect, useRef } from "react";

export function WritingWatch({ draft, idleMs, onIdle }) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false; // the draft as the page opened: nobody is writing yet
      return undefined;
    }
    if (!draft || !onIdle) return undefined;
    const timer = setTimeout(() => onIdle(), idleMs);
    return () => clearTimeout(timer);
  }, [draft, idleMs]);
  return null;
}
