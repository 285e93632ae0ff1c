import { beforeEach, describe, expect, it, vi } from "vitest";
import type { LedgerFailure, LedgerStatus } from "./bindings";

// The shell, as the window sees it: a queue of failures until dismissed.
const shell = vi.hoisted(() => ({
  calls: [] as string[],
  failures: [] as LedgerFailure[],
  failNext: false,
}));

vi.mock("@tauri-apps/api/core", () => {
  class Channel<T> {
    onmessage: (m: T) => void = () => undefined;
  }
  const status = (): LedgerStatus => ({ ledger: "/l/anchors.jsonl", from_env: true, failures: [...shell.failures], dropped: 0 });
  return {
    Channel,
    invoke: vi.fn(async (cmd: string, args?: Record<string, unknown>) => {
      shell.calls.push(cmd);
      if (cmd === "ledger_status") return status();
      if (cmd === "dismiss_ledger_failures") {
        shell.failures = shell.failures.filter((f) => f.id > (args?.upTo as number));
        return status();
      }
      if (shell.failNext) {
        shell.failNext = false;
        throw { code: "io", message: "boom" };
      }
      return {};
    }),
  };
});

const failure = (id: number, over: Partial<LedgerFailure> = {}): LedgerFailure => ({
  id,
  time_utc: "2026-12-01T10:00:00.000Z",
  ledger: "/l/anchors.jsonl",
  error: "Not a directory (os error 20)",
  case_path: "/cases/c.spoor",
  heads: 1,
  message: "the chain head was not recorded",
  ...over,
});

async function load() {
  vi.resetModules();
  const ledger = await import("./ledger");
  const { api } = await import("./api");
  return { ledger, api };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  shell.calls = [];
  shell.failures = [];
  shell.failNext = false;
});

describe("the warning's content", () => {
  it("nothing to say without failures", async () => {
    const { ledger } = await load();
    expect(ledger.ledgerWarning(null)).toBeNull();
    expect(ledger.ledgerWarning({ ledger: "/l", from_env: false, failures: [], dropped: 0 })).toBeNull();
  });

  it("names the newest failure, counts every write, and dismisses up to the newest", async () => {
    const { ledger } = await load();
    const w = ledger.ledgerWarning({
      ledger: "/l/anchors.jsonl",
      from_env: true,
      failures: [failure(3, { heads: 4 }), failure(7, { ledger: "/m/anchors.jsonl", error: "No space left on device (os error 28)" }), failure(5)],
      dropped: 2,
    });
    expect(w?.latest.id).toBe(7);
    expect(w?.latest.error).toContain("os error 28");
    expect(w?.heads).toBe(6);
    expect(w?.failures).toBe(3);
    expect(w?.upTo).toBe(7);
    expect(w?.otherLedgers).toEqual(["/l/anchors.jsonl"]);
    expect(w?.dropped).toBe(2);
  });

  it("says where the ledger comes from", async () => {
    const { ledger } = await load();
    expect(ledger.ledgerSource({ ledger: null, from_env: true, failures: [], dropped: 0 })).toContain("no chain heads are recorded");
    expect(ledger.ledgerSource({ ledger: "/x", from_env: true, failures: [], dropped: 0 })).toContain("SPOOR_ANCHORS");
    expect(ledger.ledgerSource({ ledger: "/x", from_env: false, failures: [], dropped: 0 })).toContain("default");
  });
});

describe("checking after writes", () => {
  it("a write is followed by a check, a read is not", async () => {
    const { api } = await load();
    await api.review("/c.spoor", 1, "1", "", null);
    await settle();
    expect(shell.calls).toEqual(["review", "ledger_status"]);
    shell.calls = [];
    await api.hits("/c.spoor", {} as never);
    await api.overview("/c.spoor");
    await settle();
    expect(shell.calls).toEqual(["hits", "case_overview"]);
  });

  it("a write that fails is checked too (it may have written before failing)", async () => {
    const { api } = await load();
    shell.failNext = true;
    await expect(api.addEvidence("/c.spoor", {} as never)).rejects.toMatchObject({ code: "io" });
    await settle();
    expect(shell.calls).toEqual(["add_evidence", "ledger_status"]);
  });

  it("a failure reaches the listeners, stays until dismissed, and a new one shows again", async () => {
    const { ledger, api } = await load();
    const shown: (number | null)[] = [];
    const off = ledger.subscribeLedger((s) => shown.push(ledger.ledgerWarning(s)?.upTo ?? null));
    shell.failures = [failure(1)];
    await api.createCase("/c.spoor", {} as never);
    await settle();
    expect(shown).toEqual([1]);
    await api.review("/c.spoor", 1, null, "", null);
    await settle();
    expect(shown).toEqual([1, 1]);
    await ledger.dismissLedger(1);
    expect(shown).toEqual([1, 1, null]);
    shell.failures.push(failure(2));
    await api.scan("/c.spoor", {} as never, () => undefined);
    await settle();
    expect(shown).toEqual([1, 1, null, 2]);
    off();
    await ledger.checkLedger();
    expect(shown.length).toBe(4);
  });

  it("checks asked for while one runs are joined into one more, never dropped", async () => {
    const { ledger } = await load();
    await Promise.all([ledger.checkLedger(), ledger.checkLedger(), ledger.checkLedger()]);
    expect(shell.calls.filter((c) => c === "ledger_status").length).toBe(2);
  });

  it("progress ticks check at most every few seconds", async () => {
    const { ledger } = await load();
    ledger.checkLedgerSoon(10_000);
    ledger.checkLedgerSoon(10_500);
    await settle();
    ledger.checkLedgerSoon(10_000 + ledger.SOON_MS);
    await settle();
    expect(shell.calls.filter((c) => c === "ledger_status").length).toBe(2);
  });
});
