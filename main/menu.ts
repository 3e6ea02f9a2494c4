// The application menu as data: items either use an Electron role or send an AppCommand to the
// page, which runs the same action as its keyboard shortcut. No item opens anything remote.
import type { AppCommand } from '../contract/types.ts';
import type { MenuItemTemplate } from './electronTypes.ts';

export function menuTemplate(send: (command: AppCommand) => void, isMac: boolean): MenuItemTemplate[] {
  const item = (label: string, command: AppCommand, accelerator?: string): MenuItemTemplate => ({ label, ...(accelerator ? { accelerator } : {}), click: () => send(command) });
  const separator: MenuItemTemplate = { type: 'separator' };
  return [
    ...(isMac ? [{ role: 'appMenu' }] : []),
    {
      label: 'File',
      submenu: [
        item('Open Image…', 'open', 'CmdOrCtrl+O'),
        item('Load Recipe from PNG…', 'load-recipe', 'CmdOrCtrl+Shift+O'),
        separator,
        item('Save Result…', 'save', 'CmdOrCtrl+S'),
        separator,
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'Dream',
      // Esc stays the page's: it also closes overlays and leaves fields.
      submenu: [item('Dream', 'dream', 'CmdOrCtrl+Enter'), { ...item('Cancel', 'cancel', 'Escape'), registerAccelerator: false }],
    },
    {
      label: 'View',
      submenu: [
        item('Dream', 'show-dream', 'CmdOrCtrl+1'),
        item('Zoom', 'show-zoom', 'CmdOrCtrl+2'),
        item('Paint', 'show-paint', 'CmdOrCtrl+3'),
        item('Inspect', 'show-inspect', 'CmdOrCtrl+4'),
        item('Gallery', 'show-gallery', 'CmdOrCtrl+5'),
        item('Models & Settings', 'show-models', 'CmdOrCtrl+6'),
        separator,
        { role: 'togglefullscreen' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
      ],
    },
    { role: 'windowMenu' },
    { label: 'Help', submenu: [item('Keyboard Shortcuts', 'show-shortcuts', 'CmdOrCtrl+/')] },
  ];
}
