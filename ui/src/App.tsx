import { useEffect, useState } from "react";
import { api, errorText } from "./api";
import type { AppInfo, CaseOverview, RecentCase } from "./bindings";
import { PathField } from "./picker";
import { CaseView } from "./case";

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
