// Hands the renderer the proxy's base URL (from main.mjs's additionalArguments), nothing else.
const { contextBridge } = require('electron');

const flag = process.argv.find((a) => a.startsWith('--imageproxy='));
const base = flag ? flag.slice('--imageproxy='.length) : '';
contextBridge.exposeInMainWorld('imageproxy', {
  base,
  /** url returns the proxy URL of `remote` with imageproxy options such as `300x200,fit`. */
  url: (options, remote) => `${base}/${options}/${remote}`,
});
