/** @type {import('next').NextConfig} */
const nextConfig = {
  // middleware.ts imports the demo shop's site.json and catalog.json from ../shop.
  experimental: { externalDir: true },
};

export default nextConfig;
