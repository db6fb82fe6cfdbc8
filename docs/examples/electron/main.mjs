// Electron main process: starts the image proxy on loopback before the first window opens and
// tells the renderer where it is. Build with `npm run build` (esbuild, one CommonJS file, the
// form Electron loads a main process in most simply) and run with `npm start`.
import { app, BrowserWindow } from 'electron';
import path from 'node:path';
import { startImageProxy } from './proxy.mjs';

let proxy;

app.whenReady().then(async () => {
  proxy = await startImageProxy();
  const win = new BrowserWindow({
    width: 900,
    height: 700,
    webPreferences: {
      // __dirname is dist/ once bundled to CommonJS; the preload is copied there by the build.
      preload: path.join(__dirname, 'preload.cjs'),
      additionalArguments: [`--imageproxy=${proxy.base}`],
    },
  });
  await win.loadFile(path.join(__dirname, '..', 'index.html'));
});

app.on('window-all-closed', () => app.quit());

// Let in-flight transforms finish and the workers stop before the process exits.
app.on('will-quit', (event) => {
  if (!proxy) return;
  event.preventDefault();
  const p = proxy;
  proxy = undefined;
  p.close().finally(() => app.quit());
});
