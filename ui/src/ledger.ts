// Failed anchor-ledger appends, as the shell queues them (src-tauri/src/ledger.rs).
// The window pulls the queue after every command that writes and while long
// work reports progress; a failure stays queued in the shell until the
// examiner dismisses it, so a pull that comes late still finds it.
import { invoke } from "@tauri-apps/api/core";
import { useEffect, useState } from "react";
import type { LedgerFailure, LedgerStatus } from "./bindings";

type Listener = (s: LedgerStatus) => void;

const listeners = new Set<Listener>();
let current: LedgerStatus | null = null;
let running: Promise<void> | null = null;
let again = false;
let lastSoon = 0;

/** How often progress ticks may ask at most (ms). */
export const SOON_MS = 2000;

function publish(s: LedgerStatus) {
  current = s;
  for (const l of listeners) l(s);
}

/** Asks the shell for the ledger in use and the failures not dismissed.
 * Calls while one is asking run once more after it (never lost, never piled up). */
export function checkLedger(): Promise<void> {
  if (running) {
    again = true;
    return running;
  }
  running = (async () => {
    try {
      do {
        again = false;
        publish(await invoke<LedgerStatus>("ledger_status"));
      } while (again);
    } catch {
      // The shell keeps the failures: the next check finds them.
    } finally {
      running = null;
    }
  })();
  return running;
}

/** For progress ticks of long work: a check at most every SOON_MS. */
export function checkLedgerSoon(now: number = Date.now()): void {
  if (now - lastSoon < SOON_MS) return;
  lastSoon = now;
  void checkLedger();
}

/** The examiner has read the warning: failures up to `upTo` are not shown again. */
export async function dismissLedger(upTo: number): Promise<void> {
  publish(await invoke<LedgerStatus>("dismiss_ledger_failures", { upTo }));
}

/** Settles like `p`, then checks the ledger (the command may have written,
 * whether it succeeded or not). */
export function written<T>(p: Promise<T>): Promise<T> {
  return p.finally(() => {
    void checkLedger();
  });
}

/** A progress callback that also checks the ledger now and then. */
export function ticking<T>(onProgress: (m: T) => void): (m: T) => void {
  return (m: T) => {
    checkLedgerSoon();
    onProgress(m);
  };
}

/** Calls `l` with every status the shell gives; returns the unsubscribe. */
export function subscribeLedger(l: Listener): () => void {
  listeners.add(l);
  return () => {
    listeners.delete(l);
  };
}

/** The ledger status as it changes (null until first known). */
export function useLedger(): LedgerStatus | null {
  const [status, setStatus] = useState<LedgerStatus | null>(current);
  useEffect(() => {
    const off = subscribeLedger(setStatus);
    void checkLedger();
    return off;
  }, []);
  return status;
}

/** What the warning banner says. */
export interface LedgerWarning {
  /** The newest failure: its ledger, error and case. */
  latest: LedgerFailure;
  /** Failures not dismissed (each one command's work, or part of a long one). */
  failures: number;
  /** Writes whose chain heads are missing from the ledger. */
  heads: number;
  /** Dismissing hides failures up to this id. */
  upTo: number;
  /** Every ledger that failed, if more than the newest one. */
  otherLedgers: string[];
  /** Failures no longer kept by the shell (more than it keeps). */
  dropped: number;
}

export function ledgerWarning(status: LedgerStatus | null): LedgerWarning | null {
  if (!status || status.failures.length === 0) return null;
  const latest = status.failures.reduce((a, b) => (b.id > a.id ? b : a));
  const heads = status.failures.reduce((n, f) => n + f.heads, 0);
  const otherLedgers = [...new Set(status.failures.map((f) => f.ledger))].filter((l) => l !== latest.ledger);
  return { latest, failures: status.failures.length, heads, upTo: latest.id, otherLedgers, dropped: status.dropped };
}

/** How the ledger in use is described in Settings. */
export function ledgerSource(status: LedgerStatus): string {
  if (status.ledger === null) return "none: SPOOR_ANCHORS is set empty, so no chain heads are recorded outside the case";
  return status.from_env ? "set by SPOOR_ANCHORS" : "the per-user default (set SPOOR_ANCHORS to use another file)";
}
