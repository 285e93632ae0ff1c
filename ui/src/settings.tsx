// Wellness settings: thumbnails blurred and grey until revealed one at a
// time; already-categorised material hidden from the review queue. Kept in
// the window's local storage (a preference, not case data).
import { createContext, useContext, useState, type ReactNode } from "react";

export interface Wellness {
  blurPx: number;
  grey: boolean;
  hideCategorised: boolean;
}

export const DEFAULT_WELLNESS: Wellness = { blurPx: 16, grey: true, hideCategorised: false };

const KEY = "spoor.wellness";

function load(): Wellness {
  try {
    const v = JSON.parse(localStorage.getItem(KEY) ?? "null");
    if (v && typeof v.blurPx === "number") return { ...DEFAULT_WELLNESS, ...v };
  } catch {
    /* defaults */
  }
  return DEFAULT_WELLNESS;
}

interface Ctx {
  wellness: Wellness;
  setWellness: (w: Wellness) => void;
  revealed: number | null;
  setRevealed: (id: number | null) => void;
}

const WellnessContext = createContext<Ctx | null>(null);

export function WellnessProvider({ children }: { children: ReactNode }) {
  const [wellness, set] = useState<Wellness>(load);
  const [revealed, setRevealed] = useState<number | null>(null);
  const setWellness = (w: Wellness) => {
    set(w);
    try {
      localStorage.setItem(KEY, JSON.stringify(w));
    } catch {
      /* not persisted */
    }
  };
  return (
    <WellnessContext.Provider value={{ wellness, setWellness, revealed, setRevealed }}>{children}</WellnessContext.Provider>
  );
}

export function useWellness(): Ctx {
  const c = useContext(WellnessContext);
  if (!c) throw new Error("WellnessProvider missing");
  return c;
}
