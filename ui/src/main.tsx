import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App";
import { WebBackend } from "./backend/backend";
import { TauriBackend, inTauri } from "./backend/tauri";
import "./styles.css";

const root = document.getElementById("root");
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App backend={inTauri() ? new TauriBackend() : new WebBackend()} />
    </StrictMode>,
  );
}
