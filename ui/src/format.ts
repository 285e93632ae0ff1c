// Pure helpers the screens share (unit-tested with Vitest).
import type { ReviewScheme, Snapshot } from "./bindings";

export function humanBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(1)} ${units[i]}`;
}

export function humanDuration(secs: number | null | undefined): string {
  if (secs === null || secs === undefined || !isFinite(secs)) return "–";
  const s = Math.max(0, Math.round(secs));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${r} s`;
  return `${r} s`;
}

/** "2/3 Hashing — 120/400 files, 1.0 MiB of 5.0 MiB". */
export function progressLine(s: Snapshot): string {
  const label = s.stage.charAt(0).toUpperCase() + s.stage.slice(1);
  return `${s.stage_index}/${s.stage_count} ${label} — ${s.files_done}/${s.files_total} files, ${humanBytes(s.bytes_done)} of ${humanBytes(s.bytes_total)}`;
}

export function progressFraction(s: Snapshot): number {
  if (s.bytes_total > 0) return Math.min(1, s.bytes_done / s.bytes_total);
  if (s.files_total > 0) return Math.min(1, s.files_done / s.files_total);
  return 0;
}

export interface CategoryChoice {
  key: string;
  value: string;
  label: string;
}

/** The categories a review can assign, with the key that assigns each. */
export function categoryChoices(scheme: ReviewScheme): CategoryChoice[] {
  if (scheme === "caid") {
    return [
      { key: "a", value: "A", label: "A" },
      { key: "b", value: "B", label: "B" },
      { key: "c", value: "C", label: "C" },
      { key: "n", value: "N", label: "Non-indecent" },
    ];
  }
  return [
    { key: "0", value: "0", label: "0 Non-pertinent" },
    { key: "1", value: "1", label: "1 Child abuse material" },
    { key: "2", value: "2", label: "2 Exploitive / age difficult" },
    { key: "3", value: "3", label: "3 CGI / animation" },
    { key: "4", value: "4", label: "4 Comparison" },
  ];
}

/** The category a key press assigns, or null when the key assigns none. */
export function categoryForKey(scheme: ReviewScheme, key: string): string | null {
  const k = key.toLowerCase();
  return categoryChoices(scheme).find((c) => c.key === k)?.value ?? null;
}

export function categoryLabel(value: string | null | undefined): string {
  return value === null || value === undefined ? "uncategorised" : value;
}

/** Parses acquisition hashes typed one per line (blank lines dropped). */
export function parseHashLines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

/** Which page of `size` rows holds row `index`. */
export function pageOf(index: number, size: number): number {
  return Math.floor(index / size);
}

/** CSS filter of a hidden thumbnail (wellness settings). */
export function concealFilter(blurPx: number, grey: boolean): string {
  const parts: string[] = [];
  if (blurPx > 0) parts.push(`blur(${blurPx}px)`);
  if (grey) parts.push("grayscale(1)");
  return parts.length ? parts.join(" ") : "none";
}
