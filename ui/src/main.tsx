import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { WellnessProvider } from "./settings";
import "./style.css";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <WellnessProvider>
        <App />
      </WellnessProvider>
    </StrictMode>,
  );
}
