// The inbox's keyboard shortcuts, all in the browser: each one clicks or focuses what the mouse would (a queue line,
// the Resolve button, the reply box, the help button), so the server receives the same events and makes the same
// checks as for a click. Single keys act only outside text fields, with no Ctrl/Alt/Meta held and no dialog or menu
// open; Escape in the reply box leaves it, so they work again.
import { useEffect } from "react";

const OPEN_OVERLAYS = '[role="dialog"], [role="alertdialog"], [role="menu"], [role="listbox"]:not(#canned-suggestions)';
const TEXT_INPUTS = new Set(["text", "search", "email", "password", "number", "tel", "url", "date", "time"]);

function inTextField(element) {
  if (!element || !element.tagName) return false;
  if (element.isContentEditable) return true;
  const tag = element.tagName.toLowerCase();
  if (tag === "textarea" || tag === "select") return true;
  return tag === "input" && TEXT_INPUTS.has((element.getAttribute("type") || "text").toLowerCase());
}

function openConversation(step) {
  const lines = Array.from(document.querySelectorAll(".queue-item"));
  if (lines.length === 0) return;
  const current = lines.findIndex((line) => line.dataset.selected === "true");
  const next = current < 0 ? 0 : Math.min(lines.length - 1, Math.max(0, current + step));
  if (next === current) return;
  lines[next].click();
  lines[next].scrollIntoView({ block: "nearest" });
}

// A controlled React textarea learns of a value set from outside only through an input event after the native setter.
function typeInto(box, text) {
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;
  setter.call(box, text);
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

function focusReply(slash) {
  const box = document.getElementById("reply-box");
  if (!box) return;
  box.focus();
  // Only an empty reply starts with `/`: a draft being written is never overwritten.
  if (slash && box.value === "") typeInto(box, "/");
  const end = box.value.length;
  box.setSelectionRange(end, end);
}

function onKeyDown(event) {
  if (event.defaultPrevented || event.isComposing) return;
  const target = event.target;
  if (event.key === "Escape" && target && (target.id === "reply-box" || target.id === "note-box")) {
    target.blur();
    return;
  }
  if (event.ctrlKey || event.altKey || event.metaKey) return;
  if (inTextField(target) || inTextField(document.activeElement)) return;
  if (document.querySelector(OPEN_OVERLAYS)) return;
  let acted = true;
  switch (event.key) {
    case "j":
    case "ArrowDown":
      openConversation(1);
      break;
    case "k":
    case "ArrowUp":
      openConversation(-1);
      break;
    case "r":
      focusReply(false);
      break;
    case "/":
      focusReply(true);
      break;
    case "e":
      if (!event.repeat) document.getElementById("resolve")?.click();
      break;
    case "?":
      document.getElementById("shortcuts-button")?.click();
      break;
    default:
      acted = false;
  }
  if (acted) event.preventDefault();
}

export function InboxKeys() {
  useEffect(() => {
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
  return null;
}
