import { describe, expect, it } from 'vitest'
import { chooseRenderer, rendererSetting } from './webgl-renderer'

describe('the terminal renderer', () => {
  it('takes WebGL on a GPU, the DOM on a software rasterizer or without WebGL2', () => {
    expect(chooseRenderer('auto', 'hardware')).toBe('webgl')
    expect(chooseRenderer('auto', 'software')).toBe('dom')
    expect(chooseRenderer('auto', 'none')).toBe('dom')
  })

  it('follows the setting where it can: WebGL forced on a software rasterizer, never without WebGL2', () => {
    expect(chooseRenderer('webgl', 'software')).toBe('webgl')
    expect(chooseRenderer('webgl', 'none')).toBe('dom')
    expect(chooseRenderer('dom', 'hardware')).toBe('dom')
  })

  it('reads the setting from storage; anything else is auto', () => {
    const storage = (value: string | null) => ({ getItem: () => value })
    expect(rendererSetting(storage('webgl'))).toBe('webgl')
    expect(rendererSetting(storage('dom'))).toBe('dom')
    expect(rendererSetting(storage('gpu please'))).toBe('auto')
    expect(rendererSetting(storage(null))).toBe('auto')
  })
})
