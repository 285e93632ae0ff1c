import { describe, expect, it } from "vitest";
import { errorText, isAppError } from "./api";
import type { AppError } from "./bindings";

describe("errors from commands", () => {
  it("an AppError shows its message and stable code", () => {
    const e: AppError = { code: "busy", message: "another scan holds the case" };
    expect(isAppError(e)).toBe(true);
    expect(errorText(e)).toBe("another scan holds the case (busy)");
  });

  it("anything else is shown as it is", () => {
    expect(isAppError("boom")).toBe(false);
    expect(isAppError(null)).toBe(false);
    expect(errorText("boom")).toBe("boom");
    expect(errorText(new Error("x"))).toBe("Error: x");
  });
});
