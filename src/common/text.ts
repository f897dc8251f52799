/** `text` cut to `max` characters, saying how many more there were: the one way long text is shortened for a person or a model. */
export function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text
}
