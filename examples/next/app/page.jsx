/**
 * The demo shop's home page slots, rendered by Next with their default
 * content; the middleware fills them per visitor (hero, recommended, promo).
 * Rendered per request so every visitor's page comes from a fresh render.
 */
export const dynamic = 'force-dynamic';

export default function Home() {
  return (
    <>
      <section className="slot slot-hero" data-tessera-slot="hero">
        <div className="hero" data-hero="default">
          <h1>Gear for every trail</h1>
        </div>
      </section>
      <main className="page home">
        <section className="slot slot-recommended" data-tessera-slot="recommended" />
        <section className="slot slot-promo" data-tessera-slot="promo" />
      </main>
    </>
  );
}
