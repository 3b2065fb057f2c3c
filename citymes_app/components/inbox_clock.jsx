// The inbox's clock on the tab: how long a conversation has waited, kept current without the server (a re-render
// every 30 seconds), and the page's title with the number of unread messages. Texts come translated from the server's
// catalog as templates with a {n} placeholder.
import { useEffect, useState } from "react";

function useNow(period) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), period);
    return () => clearInterval(timer);
  }, [period]);
  return now;
}

export function WaitingFor({ since, minutes, hours, days, className }) {
  const now = useNow(30000);
  if (!since) return null;
  const waited = Math.max(0, Math.floor((now - since) / 60000));
  let text;
  if (waited < 60) text = minutes.replace("{n}", String(Math.max(1, waited)));
  else if (waited < 1440) text = hours.replace("{n}", String(Math.floor(waited / 60)));
  else text = days.replace("{n}", String(Math.floor(waited / 1440)));
  return <span className={className}>{text}</span>;
}

export function PageTitle({ title }) {
  useEffect(() => {
    document.title = title;
  }, [title]);
  return null;
}
