// Renderer entry: mounts the app with the preload's bridge (window.api, read only in api.ts) and the toast host.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiProvider, windowApi } from './api';
import { App } from './app';
import { ToastProvider } from './components/toast';
import './styles/tokens.css';
import './styles/base.css';
import './styles/components.css';

// A file dropped outside a drop zone must not make the window navigate to it (main blocks navigation too).
for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (e) => e.preventDefault());

const root = createRoot(document.getElementById('root')!);
const api = windowApi();

root.render(
  <StrictMode>
    {api ? (
      <ApiProvider api={api}>
        <ToastProvider>
          <App />
        </ToastProvider>
      </ApiProvider>
    ) : (
      <main className="screen screen--centered">
        <div className="problem">
          <h1>Grantbox could not start</h1>
          <p>This window was opened without Grantbox’s connection to your computer. Close it and open Grantbox again.</p>
        </div>
      </main>
    )}
  </StrictMode>,
);
