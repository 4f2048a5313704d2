import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, initialTheme } from "./App";
import { WebBackend } from "./backend/backend";
import { TauriBackend, inTauri } from "./backend/tauri";
import "./styles.css";

// The theme's colours from the first paint (the stylesheet keys them on this attribute).
document.documentElement.dataset.theme = initialTheme();
const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App backend={inTauri() ? new TauriBackend() : new WebBackend()} />
    </StrictMode>,
  );
}
