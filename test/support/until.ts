/** Waits until `condition` holds, checking every 10 ms; throws after `ms` saying what it waited for. */
export async function until(condition: () => boolean | Promise<boolean>, ms = 3000, what = 'a condition'): Promise<void> {
  const end = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
