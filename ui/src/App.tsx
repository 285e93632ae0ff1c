import { useEffect, useState } from "react";
import { api, errorText } from "./api";
import type { AppInfo, CaseOverview, RecentCase } from "./bindings";
import { PathField } from "./picker";
import { CaseView } from "./case";
import { dismissLedger, ledgerWarning, useLedger } from "./ledger";

export function App() {
  const [info, setInfo] = useState<AppInfo | null>(null);
  const [overview, setOverview] = useState<CaseOverview | null>(null);
  useEffect(() => {
    api.appInfo().then(setInfo).catch(() => setInfo(null));
  }, []);
  return (
    <div className="app">
      <header className="topbar">
        <strong className="brand" onClick={() => setOverview(null)}>
          Spoor
        </strong>
        {overview && (
          <span className="case-title" data-testid="case-title">
            Case {overview.case.case_number}
            {overview.case.title ? ` — ${overview.case.title}` : ""}
          </span>
        )}
        <span className="spacer" />
        {overview && (
          <button type="button" onClick={() => setOverview(null)} data-testid="close-case">
            Close case
          </button>
        )}
      </header>
      <LedgerBanner />
      {overview ? (
        <CaseView overview={overview} onOverview={setOverview} />
      ) : (
        <Start onOpen={setOverview} />
      )}
      <footer className="footer">
        {info ? `${info.name} ${info.version} (${info.git_commit}) · case format ${info.case_format}` : "Spoor"} · offline
      </footer>
    </div>
  );
}

function Start({ onOpen }: { onOpen: (o: CaseOverview) => void }) {
  const [recent, setRecent] = useState<RecentCase[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [openPath, setOpenPath] = useState("");
  const [form, setForm] = useState({ path: "", case_number: "", title: "", agency: "", examiner: "", time_zone: "UTC" });
  useEffect(() => {
    api.recentCases().then(setRecent).catch(() => setRecent([]));
  }, []);
  const open = (path: string) => {
    setError(null);
    api.openCase(path).then(onOpen).catch((e) => setError(errorText(e)));
  };
  const create = () => {
    setError(null);
    const { path, ...info } = form;
    api.createCase(path, info).then(onOpen).catch((e) => setError(errorText(e)));
  };
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [k]: e.target.value });
  return (
    <main className="start">
      <section className="card">
        <h2>New case</h2>
        <PathField label="Case file" value={form.path} onChange={(v) => setForm({ ...form, path: v })} mode="save" testId="new-case-path" placeholder="/cases/2026-0042.spoor" />
        <div className="grid2">
          <label className="field">
            <span>Case number</span>
            <input data-testid="new-case-number" value={form.case_number} onChange={set("case_number")} />
          </label>
          <label className="field">
            <span>Examiner</span>
            <input data-testid="new-case-examiner" value={form.examiner} onChange={set("examiner")} />
          </label>
          <label className="field">
            <span>Title</span>
            <input data-testid="new-case-title" value={form.title} onChange={set("title")} />
          </label>
          <label className="field">
            <span>Agency</span>
            <input data-testid="new-case-agency" value={form.agency} onChange={set("agency")} />
          </label>
          <label className="field">
            <span>Time zone (display only)</span>
            <input value={form.time_zone} onChange={set("time_zone")} />
          </label>
        </div>
        <button type="button" className="primary" onClick={create} data-testid="create-case">
          Create case
        </button>
      </section>
      <section className="card">
        <h2>Open case</h2>
        <PathField label="Case file" value={openPath} onChange={setOpenPath} mode="file" testId="open-case-path" />
        <button type="button" onClick={() => open(openPath)} data-testid="open-case">
          Open
        </button>
        <h3>Recent cases</h3>
        {recent.length === 0 ? (
          <p className="muted">None yet.</p>
        ) : (
          <ul className="recent">
            {recent.map((r) => (
              <li key={r.path}>
                <button type="button" className="link" onClick={() => open(r.path)}>
                  {r.case_number} {r.title && `— ${r.title}`}
                </button>
                <span className="muted small">{r.path}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {error && (
        <p className="error" data-testid="error">
          {error}
        </p>
      )}
    </main>
  );
}

/** A failed anchor-ledger append: shown until the examiner dismisses it,
 * and again at the next failure. */
function LedgerBanner() {
  const w = ledgerWarning(useLedger());
  const [error, setError] = useState<string | null>(null);
  if (!w) return null;
  const { latest } = w;
  const writes = w.heads === 1 ? "1 write" : `${w.heads} writes`;
  return (
    <section className="banner-warn" role="alert" data-testid="ledger-banner">
      <div className="banner-text">
        <h3>The anchor ledger could not be written</h3>
        <p>
          The chain head of {writes} to case <span className="mono break">{latest.case_path}</span> was not recorded in the anchor
          ledger <span className="mono break" data-testid="ledger-banner-path">{latest.ledger}</span>:{" "}
          <span className="mono" data-testid="ledger-banner-error">{latest.error}</span>
          <span className="muted small">
            {" "}
            (latest {latest.time_utc}
            {w.failures > 1 ? `; ${w.failures} failures since the last dismissal` : ""}
            {w.dropped > 0 ? `; ${w.dropped} older not kept` : ""}
            {w.otherLedgers.length > 0 ? `; also ${w.otherLedgers.join(", ")}` : ""})
          </span>
        </p>
        <p>
          The case itself was saved and is intact; <code>spoor verify</code> will report {w.heads === 1 ? "this write's chain head" : "these writes' chain heads"}{" "}
          as not anchored.
        </p>
        <p>
          To fix: make the ledger&apos;s folder writable (or free space on its disk), or start Spoor with <code>SPOOR_ANCHORS</code> set
          to a ledger file you can write. Settings shows the ledger in use.
        </p>
        {error && <p className="error">{error}</p>}
      </div>
      <button
        type="button"
        data-testid="ledger-dismiss"
        onClick={() => {
          setError(null);
          dismissLedger(w.upTo).catch((e) => setError(errorText(e)));
        }}
      >
        Dismiss
      </button>
    </section>
  );
}
