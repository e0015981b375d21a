/**
 * The demo shop inside the Worker bundle: the same site.json, catalog and
 * templates `npm start` serves, imported as JSON and text at build time
 * instead of read from a disk the Worker does not have. Also serves the
 * browser collector at `/tessera.js`, and bundles uPlot for the `/admin`
 * dashboard's charts.
 */
import collector from 'tessera:collector';
import uplotScript from 'tessera:uplot';
import uplotStyle from 'uplot/dist/uPlot.min.css';
import type { WorkerSite } from '../../src/runtimes/cloudflare/index.js';
import catalog from '../shop/catalog.json' with { type: 'json' };
import css from '../shop/shop.css';
import type { ShopProduct } from '../shop/shop.mjs';
import { createShop } from '../shop/shop-core.mjs';
import site from '../shop/site.json' with { type: 'json' };
import notFound from '../shop/templates/404.html';
import category from '../shop/templates/category.html';
import home from '../shop/templates/home.html';
import layout from '../shop/templates/layout.html';
import product from '../shop/templates/product.html';

export function shopSite(): WorkerSite {
  const shop = createShop({
    site,
    catalog: catalog as ShopProduct[],
    css,
    sources: { layout, home, product, category, notFound },
  });
  return {
    site: shop.site,
    catalog: shop.catalog,
    origin: { render: (path) => shop.render(path) },
    assets: {
      ...shop.assets,
      '/tessera.js': { type: 'text/javascript; charset=utf-8', body: collector },
    },
    charts: { script: uplotScript, style: uplotStyle },
  };
}
