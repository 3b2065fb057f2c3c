// The inbox's notifications, all in the browser: the notifier compares each version of the live queue with the one
// before (never the queue as the page loaded it) and, for a new citizen message or a conversation assigned to this
// operator, shows a toast (sonner, which Reflex bundles), plays a short beep when the operator switched sound on, and
// shows a browser notification when the tab is hidden and the operator allowed them. A browser notification names the
// citizen only, never the message's text: it may show on a shared screen. The bell menu keeps both choices in the
// browser (localStorage). Texts come translated from the server's catalog as templates with a {name} placeholder.
// Clicking a browser notification brings the window forward and opens its conversation (`onOpen`, the handler a click
// on the queue line calls).
import { useEffect, useRef, useState } from "react";
import { toast } from "sonner";
import { DropdownMenu, IconButton } from "@radix-ui/themes";
import { Bell, BellOff } from "lucide-react";

const BROWSER_KEY = "citymes_notify_browser";
const SOUND_KEY = "citymes_notify_sound";
let audio = null;

function remembered(key) {
  try {
    return window.localStorage.getItem(key) === "on";
  } catch {
    return false;
  }
}

function remember(key, on) {
  try {
    window.localStorage.setItem(key, on ? "on" : "off");
  } catch {
    // storage refused (private mode): the choice lasts until the page closes
  }
}

function notificationsSupported() {
  return typeof window !== "undefined" && "Notification" in window;
}

// An AudioContext made during a click may play later; one made without a gesture may stay suspended.
function audioContext() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!Context) return null;
  if (!audio) audio = new Context();
  if (audio.state === "suspended") audio.resume().catch(() => {});
  return audio;
}

function beep() {
  const context = audioContext();
  if (!context) return;
  const oscillator = context.createOscillator();
  const gain = context.createGain();
  oscillator.type = "sine";
  oscillator.frequency.value = 880;
  gain.gain.setValueAtTime(0.0001, context.currentTime);
  gain.gain.exponentialRampToValueAtTime(0.2, context.currentTime + 0.02);
  gain.gain.exponentialRampToValueAtTime(0.0001, context.currentTime + 0.25);
  oscillator.connect(gain).connect(context.destination);
  oscillator.start();
  oscillator.stop(context.currentTime + 0.3);
}

function showBrowserNotification(text, tag, open) {
  if (!notificationsSupported() || window.Notification.permission !== "granted") return;
  try {
    const notification = new window.Notification(text, { tag });
    notification.onclick = (event) => {
      if (event && event.preventDefault) event.preventDefault(); // we focus the tab ourselves
      window.focus();
      open();
      notification.close();
    };
  } catch {
    // some browsers allow notifications from a service worker only
  }
}

// What changed between two versions of the queue: new messages (unread up, or a conversation new to the queue with
// something unread) and conversations now assigned to me.
function changes(before, lines, me) {
  const news = [];
  for (const line of lines) {
    const old = before.get(line.id);
    if (line.unread > (old ? old.unread : 0)) news.push({ kind: "message", line });
    else if (me && line.assignee_id === me && (!old || old.assignee_id !== me)) news.push({ kind: "assigned", line });
  }
  return news;
}

export function InboxNotifier({ notices, me, selected, newMessage, assigned, citizen, onOpen }) {
  const previous = useRef(null);
  // The latest handler, read when a notification is clicked (minutes later, after many renders).
  const opener = useRef(onOpen);
  opener.current = onOpen;
  useEffect(() => {
    if (!notices || !notices.version) return; // not linked yet: not the real queue
    const lines = notices.lines || [];
    const before = previous.current;
    previous.current = new Map(lines.map((line) => [line.id, line]));
    if (before === null) return; // the queue as loaded is not news
    const news = changes(before, lines, me);
    let shown = 0;
    for (const { kind, line } of news) {
      // The open conversation shows its new messages and its assignee itself (and one the operator took or answered
      // in this tab is their own doing): no toast while they look at it.
      if (line.id === selected && !document.hidden) continue;
      const name = line.name || citizen.replace("{id}", String(line.citizen_id));
      const text = (kind === "message" ? newMessage : assigned).replace("{name}", name);
      toast(text, { id: `citymes-${kind}-${line.id}`, className: `notice-${kind}` });
      shown += 1;
      if (document.hidden && remembered(BROWSER_KEY)) {
        showBrowserNotification(text, `citymes-${line.id}`, () => opener.current && opener.current(line.id));
      }
    }
    if (shown && remembered(SOUND_KEY)) beep();
  }, [notices, me, selected, newMessage, assigned, citizen]);
  return null;
}

export function NotificationBell({ label, browserLabel, soundLabel, blockedLabel }) {
  const [browser, setBrowser] = useState(false);
  const [sound, setSound] = useState(false);
  const [blocked, setBlocked] = useState(false);
  useEffect(() => {
    const supported = notificationsSupported();
    setBlocked(!supported || window.Notification.permission === "denied");
    setBrowser(supported && window.Notification.permission === "granted" && remembered(BROWSER_KEY));
    setSound(remembered(SOUND_KEY));
  }, []);

  const switchBrowser = async (on) => {
    if (!on) {
      setBrowser(false);
      remember(BROWSER_KEY, false);
      return;
    }
    if (!notificationsSupported()) return;
    let permission = window.Notification.permission;
    if (permission === "default") permission = await window.Notification.requestPermission();
    const granted = permission === "granted";
    setBlocked(permission === "denied");
    setBrowser(granted);
    remember(BROWSER_KEY, granted);
  };
  const switchSound = (on) => {
    setSound(on);
    remember(SOUND_KEY, on);
    if (on) audioContext(); // made during the click, so it may play later
  };

  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger>
        <IconButton variant="ghost" color="gray" size="1" aria-label={label} title={label} id="notify-menu">
          {browser || sound ? <Bell size={16} /> : <BellOff size={16} />}
        </IconButton>
      </DropdownMenu.Trigger>
      <DropdownMenu.Content size="1">
        <DropdownMenu.CheckboxItem
          checked={browser}
          disabled={blocked && !browser}
          onCheckedChange={switchBrowser}
          onSelect={(event) => event.preventDefault()}
          id="notify-browser"
        >
          {browser || !blocked ? browserLabel : blockedLabel}
        </DropdownMenu.CheckboxItem>
        <DropdownMenu.CheckboxItem
          checked={sound}
          onCheckedChange={switchSound}
          onSelect={(event) => event.preventDefault()}
          id="notify-sound"
        >
          {soundLabel}
        </DropdownMenu.CheckboxItem>
      </DropdownMenu.Content>
    </DropdownMenu.Root>
  );
}
