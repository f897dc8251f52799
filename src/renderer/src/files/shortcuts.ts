/** Every keyboard shortcut of the window, for the overlay (F1, Ctrl+/, the "?" in the status bar). Keep it true when keys change. */
export const SHORTCUTS: ReadonlyArray<{ group: string; keys: ReadonlyArray<readonly [keys: string, what: string]> }> = [
  {
    group: 'REPL',
    keys: [
      ['Enter', 'run the input (lines typed while one runs wait their turn)'],
      ['Shift+Enter', 'a new line in the input'],
      ['Tab', 'complete the name at the cursor'],
      ['Shift+Tab', 'switch mode: JS → NL → BASH'],
      ['Ctrl+C', 'cancel the running input; twice: interrupt a stuck loop'],
      ['Ctrl+D', 'delete forward (on an empty line: end the terminal client)'],
      ['Ctrl+R', 'search the input history'],
      ['Up / Down', 'previous / next input'],
      ['Ctrl+A / Ctrl+E / Ctrl+U', 'start / end of the line; clear the line'],
      ['@g1.0 VALUE', 'answer gate 0 of graph run g1']
    ]
  },
  {
    group: 'Panes',
    keys: [
      ['drag a divider', 'resize the panes (remembered between launches)'],
      ['Arrow keys on a divider', 'resize from the keyboard'],
      ['drop a file', 'a graph (.ts, .js) is loaded; a trace (.json, .jsonl) goes to the timeline']
    ]
  },
  {
    group: 'Menu',
    keys: [
      ['Alt+F', 'open the File menu'],
      ['Up / Down, Enter', 'choose a menu item'],
      ['Esc', 'close the menu or this overlay (back to the REPL)'],
      ['F1 or Ctrl+/', 'this list']
    ]
  }
]

/** Gives the keyboard back to the REPL pane (after a menu or an overlay closes). */
export function focusRepl(): void {
  document.querySelector<HTMLElement>('[data-testid="repl"] .xterm-helper-textarea')?.focus()
}
