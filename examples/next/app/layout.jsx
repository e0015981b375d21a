export const metadata = { title: 'Tessera on Next.js' };

// JSX, not TSX: a .tsx file here makes `next build` install TypeScript's React types (@types/react) first.
export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        {children}
        {/* Tessera's collector: page views, consent, clicks; served by the middleware. */}
        <script src="/tessera.js" defer />
      </body>
    </html>
  );
}
