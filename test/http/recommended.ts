/** Categories of the tiles the engine put into the recommended slot (none when it is not personalized). */
export function recommendedCategories(html: string): string[] {
  const start = html.indexOf('data-tessera-slot="recommended"');
  const end = html.indexOf('</section>', start);
  const slot = html.slice(start, end);
  if (!slot.includes('data-tessera-personalized')) return [];
  return [...slot.matchAll(/data-category="([^"]+)"/g)].map((m) => m[1]!);
}
