import { useEffect, type ReactNode, type RefObject } from 'react'

/**
 * A modal box over the window (the shortcut overlay, Settings): a click on the backdrop or Escape
 * closes it, wherever the focus is (a save can disable the focused button and drop the focus to the
 * page), and its header has the title and an Esc button.
 */
export function Dialog({
  title,
  className,
  testId,
  onClose,
  closeButton,
  children
}: {
  title: string
  className: string
  testId: string
  onClose: () => void
  /** Gets the Esc button, for a dialog that focuses it first. */
  closeButton?: RefObject<HTMLButtonElement | null>
  children: ReactNode
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape') return
      e.preventDefault()
      onClose()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])
  return (
    <div className="overlay-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className={`dialog ${className}`} role="dialog" aria-modal="true" aria-label={title} data-testid={testId}>
        <header>
          <h2>{title}</h2>
          <button type="button" ref={closeButton} onClick={onClose} aria-label="Close (Esc)">
            Esc
          </button>
        </header>
        {children}
      </div>
    </div>
  )
}
