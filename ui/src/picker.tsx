// A path field with a "Choose…" button: the dialog plugin picks, the field
// can always be typed into (examiners paste paths; WebDriver cannot drive
// native dialogs).
import { open, save } from "@tauri-apps/plugin-dialog";

export function PathField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  mode: "folder" | "file" | "save";
  testId: string;
  placeholder?: string;
}) {
  const choose = async () => {
    try {
      const picked =
        props.mode === "save"
          ? await save({ defaultPath: props.value || undefined })
          : await open({ directory: props.mode === "folder", multiple: false });
      if (typeof picked === "string") props.onChange(picked);
    } catch {
      // No dialog (e.g. under automation): the field stays editable.
    }
  };
  return (
    <label className="field path-field">
      <span>{props.label}</span>
      <div className="row">
        <input
          data-testid={props.testId}
          value={props.value}
          placeholder={props.placeholder}
          onChange={(e) => props.onChange(e.target.value)}
          spellCheck={false}
        />
        <button type="button" onClick={choose}>
          Choose…
        </button>
      </div>
    </label>
  );
}
