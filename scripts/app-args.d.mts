export function appLaunch(
  argv: string[],
  context: { cwd: string; env: Record<string, string | undefined>; example: string; exists?: (path: string) => boolean }
): { command: string; args: string[]; load: string; error?: string }
