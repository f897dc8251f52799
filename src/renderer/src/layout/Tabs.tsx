import { useState, type ReactNode } from 'react'

export interface Tab {
  id: string
  label: string
  content: ReactNode
}

function rememberedTab(key: string, tabs: readonly Tab[]): string {
  try {
    const value = localStorage.getItem(`cortex.layout.${key}`)
    return tabs.some((tab) => tab.id === value) ? value! : tabs[0]!.id
  } catch {
    return tabs[0]!.id
  }
}

/**
 * Panels that share a pane, one shown at a time; the choice is remembered under `id` (like Split's
 * sizes). Hidden panels stay mounted, so they keep their state (a timeline's zoom and selection).
 */
export function Tabs({ id, tabs }: { id: string; tabs: readonly Tab[] }) {
  const [active, setActive] = useState(() => rememberedTab(id, tabs))
  const choose = (tab: string) => {
    setActive(tab)
    try {
      localStorage.setItem(`cortex.layout.${id}`, tab)
    } catch {
      // Storage refused: the choice is simply not remembered.
    }
  }
  return (
    <div className="tabs">
      <div className="tab-strip" role="tablist" data-testid={`tabs-${id}`}>
        {tabs.map((tab) => (
          <button
            key={tab.id}
            type="button"
            role="tab"
            aria-selected={tab.id === active}
            className={tab.id === active ? 'active' : undefined}
            data-testid={`tab-${tab.id}`}
            onClick={() => choose(tab.id)}
          >
            {tab.label}
          </button>
        ))}
      </div>
      {tabs.map((tab) => (
        <div key={tab.id} className="tab-panel" role="tabpanel" hidden={tab.id !== active}>
          {tab.content}
        </div>
      ))}
    </div>
  )
}
