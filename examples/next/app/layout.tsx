export const metadata = { title: 'Tessera on Next.js' };

export default function RootLayout({ children }: { children: React.ReactNode }) {
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
