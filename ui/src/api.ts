// Typed wrappers over the shell's commands. Every type comes from
// bindings.ts (generated from the Rust types); errors arrive as AppError.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  AddEvidence,
  AppError,
  AppInfo,
  AuditEntry,
  CaseTriage,
  CaseOverview,
  EvidenceItem,
  ExportOutcome,
  ExportReportRequest,
  FileCheck,
  FileDetail,
  Format,
  HitPage,
  HitQuery,
  ImportRequest,
  ImportResult,
  LibraryView,
  NewCase,
  Outcome,
  RecentCase,
  Review,
  ScanRequest,
  SetInfo,
  Snapshot,
  ThumbnailData,
  TriageSettings,
  UnknownExportOutcome,
  VictimIdExportRequest,
  VerifyReport,
  WarningView,
  WorkProgress,
} from "./bindings";
import { ticking, written } from "./ledger";

export function isAppError(e: unknown): e is AppError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

/** A message for any rejection: an AppError's, or the thing itself. */
export function errorText(e: unknown): string {
  if (isAppError(e)) return `${e.message} (${e.code})`;
  return String(e);
}

function channel<T>(onMessage: (m: T) => void): Channel<T> {
  const c = new Channel<T>();
  c.onmessage = onMessage;
  return c;
}

export const api = {
  appInfo: () => invoke<AppInfo>("app_info"),
  recentCases: () => invoke<RecentCase[]>("recent_cases"),
  // Commands that may write (a case, or the library) are `written`: the
  // anchor ledger is checked when they settle (ledger.ts).
  createCase: (path: string, info: NewCase) => written(invoke<CaseOverview>("create_case", { path, info })),
  openCase: (path: string) => written(invoke<CaseOverview>("open_case", { path })),
  overview: (path: string) => invoke<CaseOverview>("case_overview", { path }),
  addEvidence: (path: string, request: AddEvidence) => written(invoke<EvidenceItem>("add_evidence", { path, request })),
  librarySets: () => invoke<LibraryView>("library_sets"),
  detectFormat: (file: string) => invoke<Format | null>("detect_format", { file }),
  importHashset: (request: ImportRequest, onProgress: (p: WorkProgress) => void) =>
    written(invoke<ImportResult>("import_hashset", { request, onProgress: channel(ticking(onProgress)) })),
  removeHashset: (id: string) => written(invoke<SetInfo>("remove_hashset", { id })),
  scan: (path: string, request: ScanRequest, onProgress: (s: Snapshot) => void) =>
    written(invoke<Outcome>("scan", { path, request, onProgress: channel(ticking(onProgress)) })),
  cancelScan: () => invoke<boolean>("cancel_scan"),
  hits: (path: string, query: HitQuery) => invoke<HitPage>("hits", { path, query }),
  fileDetail: (path: string, fileId: number) => invoke<FileDetail>("file_detail", { path, fileId }),
  thumbnail: (path: string, fileId: number, maxSide: number) =>
    invoke<ThumbnailData>("thumbnail", { path, fileId, maxSide }),
  contactSheet: (path: string, fileId: number) => invoke<ThumbnailData | null>("contact_sheet", { path, fileId }),
  triage: (path: string, settings: TriageSettings | null) => invoke<CaseTriage>("triage", { path, settings }),
  exportVictimId: (path: string, request: VictimIdExportRequest) =>
    written(invoke<UnknownExportOutcome>("export_victim_id", { path, request })),
  review: (path: string, fileId: number, category: string | null, note: string, examiner: string | null) =>
    written(invoke<Review>("review", { path, fileId, category, note, examiner })),
  warnings: (path: string) => invoke<WarningView[]>("warnings", { path }),
  auditLog: (path: string) => invoke<AuditEntry[]>("audit_log", { path }),
  verifyCase: (path: string) => invoke<VerifyReport>("verify_case", { path }),
  exportReport: (path: string, request: ExportReportRequest, onProgress: (p: WorkProgress) => void) =>
    written(invoke<ExportOutcome>("export_report", { path, request, onProgress: channel(ticking(onProgress)) })),
  verifyReport: (path: string, file: string) => invoke<FileCheck>("verify_report", { path, file }),
};
