import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

// electron-builder's own configuration loader and schema check (what `npm run dist` runs first);
// the packaging itself needs the Electron binary, which this machine does not have.
const require = createRequire(import.meta.url)
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
  getConfig(
    projectDir: string
  ): Promise<
    Record<string, unknown> & { linux: { target: string[]; icon: string }; mac: { target: string; icon: string }; win: { target: string; icon: string } }
  >
  validateConfiguration(config: unknown, debug: { isEnabled: boolean; add(): void }): Promise<void>
}

/** A PNG's width and height, from its IHDR chunk. */
function pngSize(path: string): { width: number; height: number } {
  const bytes = readFileSync(path)
  expect(bytes.subarray(1, 4).toString('ascii')).toBe('PNG')
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) }
}

describe('npm run dist (electron-builder configuration)', () => {
  it('is valid for electron-builder and builds AppImage + deb, dmg and nsis installers named Cortex', async () => {
    const config = await getConfig(resolve('.'))
    await expect(validateConfiguration(config, { isEnabled: false, add: () => undefined })).resolves.toBeUndefined()
    expect(config).toMatchObject({ productName: 'Cortex', files: [{ filter: expect.arrayContaining(['out/**', 'examples/ootd/**']) }] })
    expect(config.linux.target).toEqual(['AppImage', 'deb'])
    expect(config.mac.target).toBe('dmg')
    expect(config.win.target).toBe('nsis')
  })

  it('has an icon big enough for every platform (electron-builder derives .icns and .ico from a 512×512 PNG)', async () => {
    const config = await getConfig(resolve('.'))
    for (const icon of new Set([config.linux.icon, config.mac.icon, config.win.icon])) expect(pngSize(resolve(icon))).toEqual({ width: 512, height: 512 })
  })

  it('npm run dist builds first, then packages', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts
    expect(scripts['dist']).toBe('electron-vite build && electron-builder --publish never')
  })
})
